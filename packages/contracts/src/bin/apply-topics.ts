#!/usr/bin/env node
// Makes the broker's topics match the declared ones: create, add partitions, set configs.
import { parseArgs } from 'node:util';
import { kafkaClientOptions, loadKafkaSettings } from '@fleet/service-kit/connection';
import { Kafka, logLevel } from 'kafkajs';
import { orderCatalog } from '../orders/index.ts';
import { applyTopicPlan, formatTopicPlan, planHasChanges, planTopics } from '../topic-plan.ts';

const { values } = parseArgs({
  options: {
    brokers: { type: 'string', default: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092' },
    'dry-run': { type: 'boolean', default: false },
    'delete-unknown': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(`Usage: apply-topics [--brokers host:port,...] [--dry-run] [--delete-unknown PREFIX]

Plans and applies the topics declared in @fleet/contracts. Never shrinks partitions.
--brokers         bootstrap brokers (default: $KAFKA_BROKERS or 127.0.0.1:9092)
                  TLS and SASL: the services' KAFKA_SECURITY_PROTOCOL, KAFKA_SSL_*, KAFKA_SASL_* (.env.example)
--dry-run         print the plan, change nothing
--delete-unknown  also delete undeclared topics whose names start with PREFIX`);
  process.exit(0);
}

// The services' Kafka variables and rules (service-kit): TLS, SASL and client id as they connect.
let kafka: Kafka;
try {
  const settings = loadKafkaSettings(
    { ...process.env, KAFKA_BROKERS: values.brokers },
    'Kafka settings (--brokers overrides KAFKA_BROKERS)',
  );
  kafka = new Kafka({ ...kafkaClientOptions(settings, 'fleet-apply-topics'), logLevel: logLevel.ERROR });
} catch (error) {
  console.error(`apply-topics: ${(error as Error).message}`);
  process.exit(2);
}
const admin = kafka.admin();
try {
  await admin.connect();
  const plan = await planTopics(admin, orderCatalog.topics(), {
    ...(values['delete-unknown'] ? { deleteUnknownWithPrefix: values['delete-unknown'] } : {}),
  });
  console.log(formatTopicPlan(plan));
  if (!values['dry-run'] && planHasChanges(plan)) {
    await applyTopicPlan(admin, plan);
    console.log('Applied.');
  } else if (values['dry-run'] && planHasChanges(plan)) console.log('(dry run: nothing changed)');
} catch (error) {
  console.error(`apply-topics failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await admin.disconnect();
}

import { Kafka, type KafkaConfig, logLevel as kafkaLogLevel, type LogEntry } from 'kafkajs';
import type { Logger } from './logger.ts';
import type { RuntimeConfig } from './runtime-config.ts';

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [kafkaLogLevel.ERROR]: 'error',
  [kafkaLogLevel.WARN]: 'warn',
  [kafkaLogLevel.INFO]: 'info',
  [kafkaLogLevel.DEBUG]: 'debug',
};

/** A kafkajs client with TLS/SASL from the config and its logs in the service's pino logger. */
export function createKafka(config: RuntimeConfig['kafka'], clientId: string, logger: Logger): Kafka {
  const kafkaConfig: KafkaConfig = {
    clientId: config.clientId ?? clientId,
    brokers: config.brokers,
    ssl: config.ssl === false ? false : config.ssl,
    logLevel: kafkaLogLevel.WARN,
    logCreator:
      () =>
      ({ level, label, log }: LogEntry) => {
        const { message, ...rest } = log;
        logger[levels[level] ?? 'info']({ kafka: { label, ...rest } }, message);
      },
  };
  if (config.sasl) kafkaConfig.sasl = config.sasl as KafkaConfig['sasl'];
  return new Kafka(kafkaConfig);
}

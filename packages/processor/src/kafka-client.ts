import { createRequire } from 'node:module';
import { kafkaClientOptions } from '@fleet/service-kit';
import {
  Kafka,
  type KafkaConfig,
  logLevel as kafkaLogLevel,
  type LogEntry,
  Partitioners,
  type Producer,
} from 'kafkajs';
import type { Logger } from './logger.ts';
import type { RuntimeConfig } from './runtime-config.ts';

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [kafkaLogLevel.ERROR]: 'error',
  [kafkaLogLevel.WARN]: 'warn',
  [kafkaLogLevel.INFO]: 'info',
  [kafkaLogLevel.DEBUG]: 'debug',
};

// kafkajs' own table of broker errors, and which of them its retrier retries.
const { errorCodes } = createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as {
  errorCodes: { message: string; retriable: boolean }[];
};
const retriableMessages = new Set(errorCodes.filter((e) => e.retriable).map((e) => e.message));

/**
 * The pino level of a kafkajs log entry. kafkajs logs every broker error response at ERROR, also the
 * retriable ones it is about to retry ("the coordinator is loading" while a broker starts): those are
 * info, so a healthy start does not read as a failure. Exhausted retries still log at ERROR.
 */
export function levelOf(entry: Pick<LogEntry, 'level' | 'log'>): 'error' | 'warn' | 'info' | 'debug' {
  const { error } = entry.log as { error?: unknown };
  if (entry.level === kafkaLogLevel.ERROR && typeof error === 'string' && retriableMessages.has(error))
    return 'info';
  return levels[entry.level] ?? 'info';
}

/** A kafkajs client with TLS/SASL from the shared settings (service-kit) and its logs in the service's pino logger. */
export function createKafka(config: RuntimeConfig['kafka'], clientId: string, logger: Logger): Kafka {
  const kafkaConfig: KafkaConfig = {
    ...kafkaClientOptions(config, clientId),
    logLevel: kafkaLogLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...rest } = entry.log;
      logger[levelOf(entry)]({ kafka: { label: entry.label, ...rest } }, message);
    },
  };
  return new Kafka(kafkaConfig);
}

/**
 * The runtime's producer: idempotent with acks=all and one request in flight, so its own retries
 * neither duplicate nor reorder; kafkajs 2's murmur2 partitioner, chosen explicitly.
 */
export const createIdempotentProducer = (kafka: Kafka): Producer =>
  kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });

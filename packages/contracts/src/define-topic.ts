import { ContractDefinitionError } from './contract-errors.ts';

/** A Kafka topic as the fleet declares it. Created and kept in shape by `apply-topics`. */
export interface TopicSpec {
  /** The topic on the broker: `prefix` + the declared name. */
  readonly name: string;
  /**
   * The name as declared, without the deployment's prefix: event types are named after it
   * (`fleet.orders.OrderPlaced.v2` whatever the prefix), so a namespace changes where events go, not
   * what they are.
   */
  readonly declaredName: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Topic configs such as `retention.ms`, `cleanup.policy`, `min.insync.replicas`. */
  readonly config: Readonly<Record<string, string>>;
  /** Public topics are read by other teams: their subjects use FULL_TRANSITIVE compatibility. */
  readonly public: boolean;
  readonly description: string;
  /** What the record key is, e.g. `orderId`: every event on the topic is keyed by it. */
  readonly key: string;
}

export interface TopicDefinition {
  name: string;
  /**
   * A namespace in front of the name on the broker (`test_1.` + `orders`); the fleet's own topics take
   * FLEET_TOPIC_PREFIX (see topic-namespace.ts). Default none.
   */
  prefix?: string;
  partitions: number;
  replicationFactor: number;
  config?: Record<string, string>;
  public?: boolean;
  description: string;
  key: string;
}

const legalTopicName = /^[a-zA-Z0-9._-]{1,249}$/;

export function defineTopic(def: TopicDefinition): TopicSpec {
  const name = `${def.prefix ?? ''}${def.name}`;
  for (const candidate of new Set([def.name, name]))
    if (!legalTopicName.test(candidate) || candidate === '.' || candidate === '..')
      throw new ContractDefinitionError(
        `Topic name "${candidate}" is not legal in Kafka: use 1-249 characters of [a-zA-Z0-9._-].`,
      );
  if (!Number.isInteger(def.partitions) || def.partitions < 1)
    throw new ContractDefinitionError(
      `Topic "${def.name}": partitions must be a positive integer, got ${def.partitions}.`,
    );
  if (!Number.isInteger(def.replicationFactor) || def.replicationFactor < 1)
    throw new ContractDefinitionError(
      `Topic "${def.name}": replicationFactor must be a positive integer, got ${def.replicationFactor}.`,
    );
  if (!def.key.trim())
    throw new ContractDefinitionError(`Topic "${def.name}": say what the record key is (key: 'orderId').`);
  return Object.freeze({
    name,
    declaredName: def.name,
    partitions: def.partitions,
    replicationFactor: def.replicationFactor,
    config: Object.freeze({ ...(def.config ?? {}) }),
    public: def.public ?? false,
    description: def.description,
    key: def.key,
  });
}

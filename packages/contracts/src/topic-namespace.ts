import { ContractDefinitionError } from './contract-errors.ts';

/**
 * The variable that puts every topic of the fleet's contracts in a namespace of its own on a shared
 * broker: `FLEET_TOPIC_PREFIX=test_x.` turns `orders` into `test_x.orders` (and its Schema Registry
 * subjects into `test_x.orders-<type>`), while event types keep their names (`fleet.orders.…`).
 * Unset or empty: the plain names, as the demo and production use them.
 */
export const TOPIC_PREFIX_VARIABLE = 'FLEET_TOPIC_PREFIX';

const legalPrefix = /^[a-zA-Z0-9._-]*$/;

/** The prefix the environment names (empty when unset); refuses one Kafka would not accept in a name. */
export function topicPrefixFrom(env: NodeJS.ProcessEnv = process.env): string {
  const prefix = env[TOPIC_PREFIX_VARIABLE] ?? '';
  if (!legalPrefix.test(prefix) || prefix.length > 200)
    throw new ContractDefinitionError(
      `${TOPIC_PREFIX_VARIABLE} "${prefix}" cannot start a Kafka topic name: use at most 200 characters of [a-zA-Z0-9._-], e.g. "test_1."`,
    );
  return prefix;
}

/**
 * A topic name in the namespace of the environment: what a topic the contracts do not declare (a
 * processor's dead-letter topic) is called next to the fleet's topics.
 */
export function namespacedTopicName(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return `${topicPrefixFrom(env)}${name}`;
}

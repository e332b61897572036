import { defineTopic } from '../define-topic.ts';
import { topicPrefixFrom } from '../topic-namespace.ts';

// FLEET_TOPIC_PREFIX, read once when the contracts are first imported: every service, the producer
// SDK, apply-topics and the traffic generator name the same topics from it, with no code of theirs
// involved. The tests set it per test file (packages/testkit/src/topic-namespace-setup.ts).
const prefix = topicPrefixFrom();
const sevenDays = String(7 * 24 * 60 * 60 * 1000);

export const ordersTopic = defineTopic({
  name: 'orders',
  prefix,
  partitions: 6,
  replicationFactor: 1,
  config: { 'retention.ms': sevenDays, 'cleanup.policy': 'delete', 'min.insync.replicas': '1' },
  public: true,
  description:
    'Lifecycle of customer orders: placed, cancelled, and the saga outcome (confirmed or rejected). Read by other teams.',
  key: 'orderId',
});

export const inventoryTopic = defineTopic({
  name: 'inventory',
  prefix,
  partitions: 6,
  replicationFactor: 1,
  config: { 'retention.ms': sevenDays, 'cleanup.policy': 'delete', 'min.insync.replicas': '1' },
  description: 'Stock reservations for orders and the commands to release them.',
  key: 'orderId',
});

export const paymentsTopic = defineTopic({
  name: 'payments',
  prefix,
  partitions: 6,
  replicationFactor: 1,
  config: { 'retention.ms': sevenDays, 'cleanup.policy': 'delete', 'min.insync.replicas': '1' },
  description: 'Payment authorisations, declines and voids for orders, and the commands to void them.',
  key: 'orderId',
});

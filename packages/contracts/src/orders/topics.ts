import { defineTopic } from '../define-topic.ts';

const sevenDays = String(7 * 24 * 60 * 60 * 1000);

export const ordersTopic = defineTopic({
  name: 'orders',
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
  partitions: 6,
  replicationFactor: 1,
  config: { 'retention.ms': sevenDays, 'cleanup.policy': 'delete', 'min.insync.replicas': '1' },
  description: 'Stock reservations for orders and the commands to release them.',
  key: 'orderId',
});

export const paymentsTopic = defineTopic({
  name: 'payments',
  partitions: 6,
  replicationFactor: 1,
  config: { 'retention.ms': sevenDays, 'cleanup.policy': 'delete', 'min.insync.replicas': '1' },
  description: 'Payment authorisations, declines and voids for orders, and the commands to void them.',
  key: 'orderId',
});

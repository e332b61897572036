export {
  batchItem,
  createProducer,
  type FleetProducer,
  type ProducerOptions,
  type PublishItem,
  type PublishOptions,
} from './create-producer.ts';
export { type ProducerConnection, producerConnectionFromEnv } from './producer-connection.ts';

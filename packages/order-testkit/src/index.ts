export { EventTap, type TappedEvent } from './event-tap.ts';
export { ensureOrderTopics, startGroupAtEnd } from './order-topics.ts';
export {
  connectTestProducer,
  inTestNamespace,
  startServiceRuntime,
  waitForProcessed,
} from './service-under-test.ts';

export { EventTap, type TappedEvent } from './event-tap.ts';
export { ensureOrderTopics, startGroupAtEnd } from './order-topics.ts';
export { connectTestProducer, startServiceRuntime, waitForProcessed } from './service-under-test.ts';

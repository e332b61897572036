export { EventTap, type TappedEvent } from './event-tap.ts';
export { ensureOrderTopics, startGroupAtEnd } from './order-topics.ts';

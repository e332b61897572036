export {
  event,
  ProcessorSpec,
  type PublishedEvent,
  type SpecEvent,
  type SpecOutcome,
} from './processor-spec.ts';

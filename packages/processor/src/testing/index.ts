export {
  event,
  ProcessorSpec,
  type PublishedEvent,
  type SpecEvent,
  type SpecOutcome,
} from './processor-spec.ts';
export { serviceHttp, unreachableDatabase } from './service-http.ts';
export { type SpecSchedules, specSchedules } from './spec-schedules.ts';

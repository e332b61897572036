export {
  type DeadLetterFilter,
  type DeadLetterRecord,
  type DeadLetterSummary,
  describeDeadLetter,
  isDeadLetterHeader,
  listDeadLetters,
  matchesFilter,
  type ReadProgress,
  readDeadLetter,
  readDeadLetters,
  summarise,
  toDeadLetter,
} from './dead-letters.ts';
export { firstAvailableTimes } from './first-available.ts';
export { type OperatedProcessor, OperationError } from './operation-error.ts';
export {
  countDeadLetters,
  type DeadLetterCount,
  type PurgeResult,
  purgeDeadLetters,
} from './purge-dead-letters.ts';
export {
  type RedriveResult,
  type RedriveSelection,
  redriveDeadLetters,
  redriveMessage,
  redrivenFromHeader,
} from './redrive-dead-letters.ts';
export {
  describeGap,
  type PartitionPlan,
  type ReplayRequest,
  type ReplayResult,
  replayOffsets,
} from './replay-offsets.ts';
export { normaliseHeaders, type ScannedRecord, type ScanRange, scanPartitions } from './topic-scanner.ts';

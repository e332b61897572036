export {
  finalizeRebuild,
  RebuildError,
  type RebuildOptions,
  type RebuildProgress,
  type RebuildResult,
} from './rebuild-processor.ts';
export type { Replica, StartReplica } from './replica.ts';

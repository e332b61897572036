export { replayGroups } from './catch-up.ts';
export { RebuildError } from './rebuild-error.ts';
export {
  finalizeRebuild,
  type RebuildOptions,
  type RebuildProgress,
  type RebuildResult,
} from './rebuild-processor.ts';
export type { Replica, StartReplica } from './replica.ts';
export { versionSchemas } from './schema-swap.ts';

export {
  finalizeRebuild,
  RebuildError,
  type RebuildOptions,
  type RebuildProgress,
  type RebuildResult,
  rebuildProcessor,
  rollbackRebuild,
} from './rebuild-processor.ts';

import type { ProcessorDefinition } from './define-processor.ts';
import { ProcessorRuntime } from './processor-runtime.ts';
import {
  type RebuildOptions,
  type RebuildResult,
  rebuildSideBySide,
  rollBackSideBySide,
} from './rebuild/rebuild-processor.ts';
import type { StartReplica } from './rebuild/replica.ts';

/** How a rebuild starts the consumer it drives: this runtime, replaying into another schema. */
export const startReplica: StartReplica = (definition, options) =>
  ProcessorRuntime.start(definition, options);

/** A side-by-side rebuild whose replica is this runtime (what the CLI, the admin API and tests run). */
export function rebuildProcessor<DB>(
  definition: ProcessorDefinition<DB>,
  options: Omit<RebuildOptions, 'startReplica'>,
): Promise<RebuildResult> {
  return rebuildSideBySide(definition, { ...options, startReplica });
}

/** Back to the version a rebuild replaced, with this runtime as the replica. */
export function rollbackRebuild<DB>(
  definition: ProcessorDefinition<DB>,
  options: Omit<RebuildOptions, 'startReplica'>,
): Promise<RebuildResult> {
  return rollBackSideBySide(definition, { ...options, startReplica });
}

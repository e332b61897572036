import type { ProcessorDefinition } from '../define-processor.ts';
import type { HoldBack } from '../hold-back.ts';
import type { Logger } from '../logger.ts';
import type { RuntimeConfig } from '../runtime-config.ts';
import type { AlreadyDeadLettered } from '../sub-batch-processor.ts';

/** A consumer of the processor that a rebuild drives; it only needs to stop it. */
export interface Replica {
  stop(): Promise<void>;
}

/**
 * How a rebuild starts its replica: the processor on another schema and group in replay mode, records
 * held back at the live group's offsets, letters the DLQ holds already not sent again. The runtime
 * provides it, so rebuild never imports the runtime.
 */
export type StartReplica = <DB>(
  definition: ProcessorDefinition<DB>,
  options: {
    config: RuntimeConfig;
    logger: Logger;
    holdBack: HoldBack;
    alreadyDeadLettered: AlreadyDeadLettered;
  },
) => Promise<Replica>;

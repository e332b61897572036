import { type ErrorSpec, ExitCode } from '../error-spec.ts';

const bad = { httpStatus: 400, exitCode: ExitCode.usage } as const;
const refused = { httpStatus: 409, exitCode: ExitCode.refused } as const;

/**
 * Operator operations (`packages/processor/src/operations/`, rebuilds): the same errors from the
 * `fleet` CLI (exit code), the admin API and the console (HTTP status).
 */
export const operationCodes = {
  DEAD_LETTER_NOT_FOUND: {
    description: 'No dead letter at that partition and offset of the DLQ topic.',
    httpStatus: 404,
    exitCode: ExitCode.usage,
  },
  SELECTION_REQUIRED: {
    description: 'A redrive needs a selection: positions, an error code, a time, or all.',
    ...bad,
  },
  SOURCE_UNKNOWN: {
    description:
      'Selected dead letters have no `dlq_source_topic` header, so there is nowhere to redrive them; nothing was redriven.',
    ...bad,
  },
  SOURCE_NOT_OWN_TOPIC: {
    description:
      'Selected dead letters name a source topic the processor does not read: they did not come from it; nothing was redriven.',
    ...refused,
    details: '`{ positions: [{ partition, offset, sourceTopic }] }`, the letters refused',
  },
  START_REQUIRED: {
    description: 'A replay needs a start: `from` (earliest or an ISO time) or `toOffsets`.',
    ...bad,
  },
  TOPIC_REQUIRED: {
    description: 'The processor reads several topics: every offset of a replay must name its topic.',
    ...bad,
  },
  BAD_OFFSETS: {
    description:
      'Offsets that are not `partition:offset` pairs, or that name a topic or partition the processor does not read.',
    ...bad,
  },
  GROUP_ACTIVE: {
    description: 'The consumer group has active members: stop every instance of the processor, then replay.',
    ...refused,
  },
  REPLAY_PARTIAL: {
    description:
      'Records the replay would need were deleted (retention): it would silently skip them. Accept a partial replay to go on.',
    ...refused,
    details: 'the replay plan: its start and, per partition, the offsets and what is missing',
  },
  CONFIRMATION_REQUIRED: {
    description:
      'The operation deletes for good (purging dead letters): confirm it (`--yes`, `{"confirm": true}`, the processor’s name).',
    ...refused,
  },
  NOT_CONFIRMED: {
    description: 'The operator did not confirm at the prompt; nothing changed.',
    ...refused,
  },
  READ_TIMEOUT: {
    description: 'Reading a topic to its end did not finish in time: is the broker healthy? Try again.',
    httpStatus: 500,
    exitCode: ExitCode.failed,
  },
  ACK_TIMEOUT: {
    description: 'Live instances did not acknowledge a pause or resume in time; the message lists them.',
    httpStatus: 504,
    exitCode: ExitCode.timedOut,
    details: '`{ acknowledged, pending }` instance IDs',
  },
  REBUILD_IN_PROGRESS: {
    description: 'A rebuild of this processor is already running.',
    ...refused,
  },
  RETENTION_GAP: {
    description:
      'The log no longer holds the full history the rebuild needs: accept a partial rebuild (`--accept-partial`) to go on.',
    ...refused,
    details: '`{ gaps: [{ topic, partition, earliestAvailable, firstAvailableAt }] }`',
  },
  PREVIOUS_NOT_FINALIZED: {
    description:
      'The version an earlier rebuild replaced is still kept: finalize (keep the new one) or roll back first.',
    ...refused,
  },
  NOTHING_TO_ROLL_BACK: {
    description: 'No earlier version is kept (or no switch is recorded): there is nothing to roll back to.',
    ...refused,
  },
  SWITCH_TIMEOUT: {
    description:
      'Live instances did not acknowledge the pause around a rebuild’s switch in time; the live version is untouched.',
    httpStatus: 504,
    exitCode: ExitCode.timedOut,
  },
  ABORTED: {
    description: 'The rebuild was aborted; the live version is untouched.',
    httpStatus: 500,
    exitCode: ExitCode.failed,
  },
  NO_REBUILD: {
    description: 'No rebuild was started (or none is running) on this instance.',
    httpStatus: 404,
    exitCode: ExitCode.usage,
  },
} as const satisfies Record<string, ErrorSpec>;

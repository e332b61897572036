import type { Admin, Kafka } from 'kafkajs';
import { firstAvailableTimes } from '../operations/first-available.ts';
import type { ReplayGap } from './partition-offsets.ts';
import { RebuildError } from './rebuild-error.ts';

export interface RetentionGap {
  topic: string;
  partition: number;
  earliestAvailable: string;
  /** When the first record still in the partition was written; null when none is left. */
  firstAvailableAt: string | null;
}

/** RETENTION_GAP naming, per partition, the earliest offset still in the log and when it was written. */
export async function retentionGapError(
  kafka: Kafka,
  admin: Admin,
  gaps: ReplayGap[],
): Promise<RebuildError> {
  const firstAt = await firstAvailableTimes(
    kafka,
    admin,
    gaps.map((g) => ({
      topic: g.topic,
      partition: g.partition,
      low: Number(g.earliestAvailable),
      high: Number(g.end),
    })),
  );
  const described: RetentionGap[] = gaps.map((g) => {
    const at = firstAt.get(`${g.topic}:${g.partition}`);
    return {
      topic: g.topic,
      partition: g.partition,
      earliestAvailable: g.earliestAvailable.toString(),
      firstAvailableAt: at === undefined ? null : new Date(at).toISOString(),
    };
  });
  return new RebuildError(
    'RETENTION_GAP',
    `the log no longer holds the full history:\n${described
      .map(
        (g) =>
          `  ${g.topic}[${g.partition}]: records before offset ${g.earliestAvailable} were deleted; earliest available ${g.firstAvailableAt ? `written ${g.firstAvailableAt}` : 'none (the partition is empty)'}`,
      )
      .join('\n')}\npass --accept-partial to rebuild from what is left`,
    { gaps: described },
  );
}

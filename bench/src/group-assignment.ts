import { type Admin, AssignerProtocol } from 'kafkajs';
import { pollUntil } from './scale-out-context.ts';

export interface GroupAssignment {
  state: string;
  /** Partitions of `topic` each member holds (members in the coordinator's order). */
  members: number[][];
}

/** The consumer group as its coordinator describes it: state and each member's partitions of `topic`. */
export async function groupAssignment(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<GroupAssignment> {
  const { groups } = await admin.describeGroups([groupId]);
  const group = groups[0];
  return {
    state: group?.state ?? 'Unknown',
    members: (group?.members ?? []).map((m) => {
      if (m.memberAssignment.length === 0) return [];
      const decoded = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
      return [...(decoded?.assignment[topic] ?? [])].sort((a, b) => a - b);
    }),
  };
}

/**
 * Waits until the group is stable with `members` members that each hold at least one of the
 * topic's `partitions` partitions and together hold all of them: no rebalance left to happen.
 * `check` throws when an instance failed (the wait ends at once).
 */
export async function waitForStableGroup(
  admin: Admin,
  groupId: string,
  topic: string,
  members: number,
  partitions: number,
  check: () => void,
  timeoutMs = 120_000,
): Promise<GroupAssignment> {
  let last: GroupAssignment | undefined;
  return pollUntil(
    `group ${groupId} stable with ${members} members over ${partitions} partitions`,
    async () => {
      const a = await groupAssignment(admin, groupId, topic);
      last = a;
      const held = a.members.flat();
      const ok =
        a.state === 'Stable' &&
        a.members.length === members &&
        a.members.every((p) => p.length > 0) &&
        new Set(held).size === partitions &&
        held.length === partitions;
      return ok ? a : undefined;
    },
    { timeoutMs, intervalMs: 200, check },
  ).catch((error: Error) => {
    throw new Error(`${error.message} (last seen: ${JSON.stringify(last)})`);
  });
}

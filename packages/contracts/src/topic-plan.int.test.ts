import { testKafka, uniqueName, waitFor } from '@fleet/testkit';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineTopic } from './define-topic.ts';
import { applyTopicPlan, formatTopicPlan, planHasChanges, planTopics } from './topic-plan.ts';

let admin: Admin;
const prefix = uniqueName('plan');

beforeAll(async () => {
  admin = testKafka('topic-plan-test').admin();
  await admin.connect();
});
afterAll(async () => {
  const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  if (mine.length > 0) await admin.deleteTopics({ topics: mine });
  await admin.disconnect();
});

describe('topic plan against the broker', () => {
  it('creates, grows, reconfigures, never shrinks, and a second apply plans nothing', async () => {
    const a = defineTopic({
      name: `${prefix}.a`,
      partitions: 2,
      replicationFactor: 1,
      config: { 'retention.ms': '3600000' },
      description: 'a',
      key: 'id',
    });
    const b = defineTopic({
      name: `${prefix}.b`,
      partitions: 1,
      replicationFactor: 1,
      description: 'b',
      key: 'id',
    });

    const first = await planTopics(admin, [a, b]);
    expect(first.actions.map((x) => x.kind)).toEqual(['create', 'create']);
    await applyTopicPlan(admin, first);
    const second = await planTopics(admin, [a, b]);
    expect(second.actions, formatTopicPlan(second)).toEqual([]);

    const a2 = {
      ...a,
      partitions: 4,
      config: { 'retention.ms': '7200000', 'cleanup.policy': 'compact,delete' },
    };
    const b2 = { ...b, partitions: 0 + 1 };
    const grow = await planTopics(admin, [a2, b2]);
    expect(grow.actions).toEqual([
      { kind: 'add-partitions', topic: a.name, from: 2, to: 4 },
      {
        kind: 'alter-config',
        topic: a.name,
        keep: {},
        changes: [
          { name: 'retention.ms', from: '3600000', to: '7200000' },
          { name: 'cleanup.policy', from: undefined, to: 'compact,delete' },
        ],
      },
    ]);
    expect(formatTopicPlan(grow)).toContain(`~ ${a.name}: partitions 2 -> 4`);
    await applyTopicPlan(admin, grow);
    // The broker's metadata shows new partitions a moment after the controller accepted them.
    await waitFor(
      'a second plan with nothing to do',
      async () => (planHasChanges(await planTopics(admin, [a2, b2])) ? undefined : true),
      { timeoutMs: 15_000 },
    );
    const meta = await admin.fetchTopicMetadata({ topics: [a.name] });
    expect(meta.topics[0]?.partitions).toHaveLength(4);

    const shrink = await planTopics(admin, [{ ...a2, partitions: 1 }, b2]);
    expect(shrink.actions).toMatchObject([{ kind: 'warn', topic: a.name }]);
    expect(planHasChanges(shrink)).toBe(false);
  });

  it('deletes undeclared topics only under an explicit prefix', async () => {
    const stray = `${prefix}.stray`;
    await admin.createTopics({
      topics: [{ topic: stray, numPartitions: 1, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    expect((await planTopics(admin, [])).actions).toEqual([]);
    const plan = await planTopics(admin, [], { deleteUnknownWithPrefix: `${prefix}.st` });
    expect(plan.actions).toEqual([{ kind: 'delete', topic: stray }]);
    await applyTopicPlan(admin, plan);
    expect(await admin.listTopics()).not.toContain(stray);
  });
});

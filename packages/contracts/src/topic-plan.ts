import kafkajs, { type Admin } from 'kafkajs';

// kafkajs is CommonJS and Node cannot see these enums as named exports.
const { ConfigResourceTypes, ConfigSource } = kafkajs;

import type { TopicSpec } from './define-topic.ts';

export interface ConfigChange {
  name: string;
  /** Current value; undefined when the broker default applies. */
  from: string | undefined;
  to: string;
}

export type TopicAction =
  | {
      kind: 'create';
      topic: string;
      partitions: number;
      replicationFactor: number;
      config: Record<string, string>;
    }
  | { kind: 'add-partitions'; topic: string; from: number; to: number }
  | { kind: 'alter-config'; topic: string; changes: ConfigChange[]; keep: Record<string, string> }
  | { kind: 'delete'; topic: string }
  /** Something the plan will not fix (shrinking partitions, changing replication): a person decides. */
  | { kind: 'warn'; topic: string; message: string };

export interface TopicPlan {
  actions: TopicAction[];
}

export interface PlanOptions {
  /** Delete broker topics that start with this prefix and are not declared. Never without a prefix. */
  deleteUnknownWithPrefix?: string;
}

/**
 * Compares declared topics with the broker: creates missing ones, adds partitions, sets configs.
 * Never shrinks partitions or changes replication (warns instead); deletes only undeclared topics under
 * an explicit prefix. Planning reads only; `applyTopicPlan` writes.
 */
export async function planTopics(
  admin: Admin,
  topics: readonly TopicSpec[],
  options: PlanOptions = {},
): Promise<TopicPlan> {
  const existing = new Set(await admin.listTopics());
  const actions: TopicAction[] = [];
  const present = topics.filter((t) => existing.has(t.name));
  for (const t of topics)
    if (!existing.has(t.name))
      actions.push({
        kind: 'create',
        topic: t.name,
        partitions: t.partitions,
        replicationFactor: t.replicationFactor,
        config: { ...t.config },
      });

  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: present.map((t) => t.name) });
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: present.map((t) => ({ type: ConfigResourceTypes.TOPIC, name: t.name })),
    });
    for (const t of present) {
      const meta = metadata.topics.find((m) => m.name === t.name);
      const partitions = meta?.partitions.length ?? 0;
      if (partitions < t.partitions)
        actions.push({ kind: 'add-partitions', topic: t.name, from: partitions, to: t.partitions });
      else if (partitions > t.partitions)
        actions.push({
          kind: 'warn',
          topic: t.name,
          message: `has ${partitions} partitions, declared ${t.partitions}: partitions are never removed (it would reorder keys); update the declaration`,
        });
      const replicas = meta?.partitions[0]?.replicas.length ?? t.replicationFactor;
      if (replicas !== t.replicationFactor)
        actions.push({
          kind: 'warn',
          topic: t.name,
          message: `has replication factor ${replicas}, declared ${t.replicationFactor}: change it with a partition reassignment, not here`,
        });

      const entries = described.resources.find((r) => r.resourceName === t.name)?.configEntries ?? [];
      // Set on the topic itself, as opposed to inherited from the broker (isDefault is false for those too).
      const onTopic = (e: { configSource: number }) => e.configSource === ConfigSource.TOPIC_CONFIG;
      const current = new Map(entries.map((e) => [e.configName, e]));
      const changes: ConfigChange[] = [];
      for (const [name, to] of Object.entries(t.config)) {
        const entry = current.get(name);
        // A declared value equal to the broker default is still set, so that it is pinned.
        if (entry && onTopic(entry) && entry.configValue === to) continue;
        changes.push({ name, from: entry && onTopic(entry) ? entry.configValue : undefined, to });
      }
      if (changes.length > 0) {
        // AlterConfigs (what kafkajs speaks) replaces the topic's whole dynamic config: keep the rest.
        const keep: Record<string, string> = {};
        for (const e of entries)
          if (onTopic(e) && !(e.configName in t.config) && !e.readOnly && !e.isSensitive)
            keep[e.configName] = e.configValue;
        actions.push({ kind: 'alter-config', topic: t.name, changes, keep });
      }
    }
  }

  const prefix = options.deleteUnknownWithPrefix;
  if (prefix !== undefined) {
    if (prefix.length === 0) throw new Error('deleteUnknownWithPrefix must be a non-empty prefix.');
    const declared = new Set(topics.map((t) => t.name));
    for (const name of [...existing].sort())
      if (name.startsWith(prefix) && !declared.has(name) && !name.startsWith('__'))
        actions.push({ kind: 'delete', topic: name });
  }
  return { actions };
}

/** Carries out a plan. Idempotent: planning again afterwards yields no changes (warnings may remain). */
export async function applyTopicPlan(admin: Admin, plan: TopicPlan): Promise<void> {
  const creates = plan.actions.filter((a) => a.kind === 'create');
  if (creates.length > 0)
    await admin.createTopics({
      waitForLeaders: true,
      topics: creates.map((a) => ({
        topic: a.topic,
        numPartitions: a.partitions,
        replicationFactor: a.replicationFactor,
        configEntries: Object.entries(a.config).map(([name, value]) => ({ name, value })),
      })),
    });
  const grows = plan.actions.filter((a) => a.kind === 'add-partitions');
  if (grows.length > 0)
    await admin.createPartitions({ topicPartitions: grows.map((a) => ({ topic: a.topic, count: a.to })) });
  const alters = plan.actions.filter((a) => a.kind === 'alter-config');
  if (alters.length > 0)
    await admin.alterConfigs({
      validateOnly: false,
      resources: alters.map((a) => ({
        type: ConfigResourceTypes.TOPIC,
        name: a.topic,
        configEntries: [
          ...Object.entries(a.keep).map(([name, value]) => ({ name, value })),
          ...a.changes.map((c) => ({ name: c.name, value: c.to })),
        ],
      })),
    });
  const deletes = plan.actions.filter((a) => a.kind === 'delete');
  if (deletes.length > 0) await admin.deleteTopics({ topics: deletes.map((a) => a.topic) });
}

/** Whether the plan changes anything (warnings alone do not). */
export function planHasChanges(plan: TopicPlan): boolean {
  return plan.actions.some((a) => a.kind !== 'warn');
}

export function formatTopicPlan(plan: TopicPlan): string {
  if (plan.actions.length === 0) return 'Topics match their declarations: nothing to do.';
  return plan.actions
    .map((a) => {
      switch (a.kind) {
        case 'create':
          return `+ create ${a.topic} (${a.partitions} partitions, rf ${a.replicationFactor}${Object.entries(
            a.config,
          )
            .map(([k, v]) => `, ${k}=${v}`)
            .join('')})`;
        case 'add-partitions':
          return `~ ${a.topic}: partitions ${a.from} -> ${a.to}`;
        case 'alter-config':
          return a.changes
            .map((c) => `~ ${a.topic}: ${c.name} ${c.from ?? '(default)'} -> ${c.to}`)
            .join('\n');
        case 'delete':
          return `- delete ${a.topic} (not declared)`;
        case 'warn':
          return `! ${a.topic} ${a.message}`;
      }
      return '';
    })
    .join('\n');
}

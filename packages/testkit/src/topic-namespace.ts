import { basename } from 'node:path';
import { infraSettings } from './infra-settings.ts';
import { testKafka } from './test-kafka.ts';
import { uniqueName } from './unique-name.ts';

/**
 * A topic prefix no other test file, test run or the demo uses, named after the test file so that
 * leftovers say where they come from: `t_payments_int_mx1k2a3b_9f8e7d.` → `t_payments_int_….orders`.
 */
export function testTopicPrefix(testFile = 'test'): string {
  const slug = basename(testFile)
    .replace(/\.test\.[cm]?[jt]s$/, '')
    .replace(/[^a-zA-Z0-9]+/g, '_')
    .slice(0, 24);
  return `${uniqueName(`t_${slug}`)}.`;
}

/**
 * Removes a test file's namespace from the shared infrastructure: the topics whose names start with
 * the prefix (the fleet's topics, dead-letter topics named in it) and the Schema Registry subjects
 * registered for them. Best effort: what cannot be removed is reported, never a test failure.
 * FLEET_KEEP_TEST_TOPICS=1 keeps everything (to look at it after a failure).
 */
export async function removeTopicNamespace(
  prefix: string,
): Promise<{ topics: string[]; subjects: string[] }> {
  if (!prefix) throw new Error('refusing to remove the empty namespace: that is every topic of the broker');
  if (process.env.FLEET_KEEP_TEST_TOPICS) {
    console.warn(`kept the topics and subjects of namespace ${prefix} (FLEET_KEEP_TEST_TOPICS)`);
    return { topics: [], subjects: [] };
  }
  const removed = { topics: [] as string[], subjects: [] as string[] };
  const admin = testKafka('testkit-namespace').admin();
  try {
    await admin.connect();
    removed.topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (removed.topics.length > 0) await admin.deleteTopics({ topics: removed.topics, timeout: 30_000 });
  } catch (error) {
    console.warn(`could not delete the topics of namespace ${prefix}: ${(error as Error).message}`);
  } finally {
    await admin.disconnect().catch(() => {});
  }
  try {
    const registry = infraSettings().schemaRegistryUrl;
    const subjects = (await (await fetch(`${registry}/subjects`)).json()) as string[];
    removed.subjects = subjects.filter((s) => s.startsWith(prefix));
    // All at once: a file registers a dozen subjects or more, each two calls.
    await Promise.all(
      removed.subjects.map(async (subject) => {
        const url = `${registry}/subjects/${encodeURIComponent(subject)}`;
        // A subject is deleted softly first, then for good; schemas other subjects share stay.
        await fetch(url, { method: 'DELETE' });
        await fetch(`${url}?permanent=true`, { method: 'DELETE' });
      }),
    );
  } catch (error) {
    console.warn(`could not delete the subjects of namespace ${prefix}: ${(error as Error).message}`);
  }
  return removed;
}

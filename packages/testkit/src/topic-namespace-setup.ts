// Vitest setup file of the integration tests (vitest.config.ts, project "int"): runs in each test
// file's own process before the file is imported, so that @fleet/contracts, every service the file
// starts in-process, the producer SDK and any process it spawns name the fleet's topics in a
// namespace of the file's own (FLEET_TOPIC_PREFIX, see packages/contracts/src/topic-namespace.ts).
// The demo's `orders`, `inventory`, `payments` and `<processor>.dlq` never see a test's records, and
// no test reads the demo's. After the file, its topics and registry subjects are removed.
import { afterAll, expect } from 'vitest';
import { removeTopicNamespace, testTopicPrefix } from './topic-namespace.ts';

const testFile = expect.getState().testPath ?? '';

if (testFile.endsWith('.e2e.test.ts')) {
  // End-to-end tests run the fleet on a broker of their own (testkit's startBroker): that broker
  // is their namespace, and they read the fleet's topics by their plain names.
  delete process.env.FLEET_TOPIC_PREFIX;
} else {
  const prefix = testTopicPrefix(testFile);
  process.env.FLEET_TOPIC_PREFIX = prefix;
  afterAll(async () => {
    await removeTopicNamespace(prefix);
  }, 90_000);
}

import { createTestDatabase, kyselyFor, type TestDatabase } from '@fleet/testkit';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureSchema } from '../src/schema-ddl.ts';

let database: TestDatabase;
let instances: Kysely<unknown>[];
beforeAll(async () => {
  database = await createTestDatabase('schema_ddl');
  // One pool per instance, as replicas starting together each have their own.
  instances = Array.from({ length: 6 }, () => kyselyFor<unknown>(database.url));
});
afterAll(async () => {
  await Promise.all(instances.map((db) => db.destroy()));
  await database?.drop();
});

it('lets instances starting together on a fresh database all create the same schema', async () => {
  for (let round = 0; round < 20; round++) {
    const schema = `race_${round}`;
    const outcomes = await Promise.allSettled(instances.map((db) => ensureSchema(db, schema)));
    expect(
      outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason)),
      schema,
    ).toEqual([]);
  }
});

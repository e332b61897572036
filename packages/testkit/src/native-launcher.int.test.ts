import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { infraSettings } from './infra-settings.ts';
import { startBroker } from './start-broker.ts';
import { startRegistry } from './start-registry.ts';

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
  });

const databaseExists = async (name: string) => {
  const client = new pg.Client({ connectionString: infraSettings().databaseUrl });
  await client.connect();
  try {
    return (await client.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
  } finally {
    await client.end();
  }
};

// The typed launcher on the native one: a component of the test's own, started on free ports and
// gone after stop(), nothing of it left behind.
describe('startBroker and startRegistry', () => {
  it('starts a broker of its own on free ports; stop() ends it and removes its state', async () => {
    const broker = await startBroker({ heap: '-Xmx256m -Xms64m' });
    try {
      expect(broker.bootstrapServers).toBe(`127.0.0.1:${broker.port}`);
      expect(broker.pid()).toBeGreaterThan(0);
      const admin = new Kafka({ brokers: [broker.bootstrapServers], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'launcher-probe' }] });
      expect(await admin.listTopics()).toContain('launcher-probe');
      await admin.disconnect();
    } finally {
      await broker.stop();
    }
    expect(broker.pid()).toBeUndefined();
    expect(await answers(broker.port)).toBe(false);
    expect(existsSync(broker.stateDir)).toBe(false);
  });

  it('starts a registry of its own, schemas in a database of its own; stop() ends it and drops the database', async () => {
    const registry = await startRegistry({ heap: '-Xmx256m' });
    try {
      expect(registry.url).toBe(`http://127.0.0.1:${registry.port}/apis/ccompat/v7`);
      expect(await databaseExists(registry.databaseName)).toBe(true);
      const registered = await fetch(`${registry.url}/subjects/launcher-probe/versions`, {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({
          schemaType: 'JSON',
          schema: JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' }),
        }),
      });
      expect(registered.status, await registered.clone().text()).toBe(200);
      // A registry of its own: this subject is the only one.
      expect(await (await fetch(`${registry.url}/subjects`)).json()).toEqual(['launcher-probe']);
      expect(await (await fetch(`${registry.url}/config`)).json()).toMatchObject({
        compatibilityLevel: 'BACKWARD',
      });
    } finally {
      await registry.stop();
    }
    expect(await answers(registry.port)).toBe(false);
    expect(await databaseExists(registry.databaseName)).toBe(false);
    expect(existsSync(registry.stateDir)).toBe(false);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { cpus, freemem, homedir, loadavg, release, totalmem } from 'node:os';
import { infraSettings } from '@fleet/testkit';
import pg from 'pg';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  freeMemoryGbAtStart: number;
  loadAverageAtStart: number[];
  platform: string;
  kernel: string;
  node: string;
  kafka: string | null;
  postgres: string | null;
  schemaRegistry: string | null;
}

const gb = (bytes: number) => Number((bytes / 1024 ** 3).toFixed(1));

export async function machineInfo(): Promise<MachineInfo> {
  const settings = infraSettings();
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: gb(totalmem()),
    freeMemoryGbAtStart: gb(freemem()),
    loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2))),
    platform: `${process.platform}-${process.arch}`,
    kernel: release(),
    node: process.version,
    kafka: kafkaVersion(),
    postgres: await postgresVersion(settings.databaseUrl).catch(() => null),
    schemaRegistry: await registryVersion(settings.schemaRegistryUrl).catch(() => null),
  };
}

/** The broker does not tell kafkajs its version: read the native launcher's choice (env or its cache). */
function kafkaVersion(): string | null {
  if (process.env.KAFKA_VERSION) return process.env.KAFKA_VERSION;
  const cache = process.env.FLEET_CACHE_DIR ?? `${homedir()}/.cache/kafka-fleet`;
  try {
    const found = readdirSync(cache).filter((d) => /^kafka-\d/.test(d));
    return found.length > 0
      ? `${found.map((d) => d.slice('kafka-'.length)).join(', ')} (native launcher)`
      : null;
  } catch {
    return null;
  }
}

async function postgresVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>('show server_version');
    return rows[0]?.server_version ?? 'unknown';
  } finally {
    await client.end();
  }
}

async function registryVersion(ccompatUrl: string): Promise<string> {
  const res = await fetch(`${new URL(ccompatUrl).origin}/apis/registry/v3/system/info`, {
    signal: AbortSignal.timeout(3000),
  });
  const info = (await res.json()) as { name?: string; version?: string };
  return `${info.name ?? 'registry'} ${info.version ?? '?'}`;
}

/** Versions of the packages on the measured path, as installed. */
export function packageVersions(): Record<string, string> {
  const names = [
    '@fleet/processor',
    '@fleet/contracts',
    'kafkajs',
    'kysely',
    'pg',
    'zod',
    '@kafkajs/confluent-schema-registry',
  ];
  // Ours first, then the contracts package's (the registry client is its dependency).
  const roots = ['../node_modules/', '../../packages/contracts/node_modules/'];
  const versions: Record<string, string> = {};
  for (const name of names) {
    versions[name] = 'unknown';
    for (const root of roots) {
      try {
        const file = new URL(`${root}${name}/package.json`, import.meta.url);
        versions[name] = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
        break;
      } catch {}
    }
  }
  return versions;
}

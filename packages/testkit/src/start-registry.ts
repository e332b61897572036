import pg from 'pg';
import { infraSettings } from './infra-settings.ts';
import {
  logFileOf,
  removeStateDir,
  runLauncher,
  startOnFreePorts,
  temporaryStateDir,
} from './native-launcher.ts';
import { uniqueName } from './unique-name.ts';

export interface RegistryOptions {
  /** HTTP port; the management interface (health) takes the next one. Default: two free ports from 21000 up. */
  port?: number;
  /** Where the registry keeps its schemas. Default: a new database on the tests' PostgreSQL, dropped by `stop()`. */
  databaseName?: string;
  /** Logs, PID file and the registry's temporary files. Default: a temporary directory, removed by `stop()`. */
  stateDir?: string;
  /** JVM heap options (REGISTRY_HEAP). Default: the launcher's, `-Xmx512m`. */
  heap?: string;
  /** Seconds to wait for the registry to answer (REGISTRY_START_TIMEOUT). Default: the launcher's, 120. */
  startTimeoutSeconds?: number;
}

export interface StartedRegistry {
  /** The Confluent-compatible API, for SCHEMA_REGISTRY_URL: `http://127.0.0.1:<port>/apis/ccompat/v7`. */
  readonly url: string;
  readonly port: number;
  readonly managementPort: number;
  readonly databaseName: string;
  readonly stateDir: string;
  readonly logFile: string;
  /** Stops it; drops a database and removes a state directory it created, unless told otherwise. */
  stop(options?: { removeState?: boolean; dropDatabase?: boolean }): Promise<void>;
}

/**
 * An Apicurio Registry of the test's own, started by the native launcher (infra/native/infra.sh
 * `up registry`) on its own ports, keeping its schemas in a database of its own on the tests'
 * PostgreSQL (DATABASE_URL): schema IDs, subjects and compatibility rules start from nothing and
 * nobody else's show up. Global compatibility BACKWARD, as the shared one. Needs Java 21+ and psql.
 */
export async function startRegistry(options: RegistryOptions = {}): Promise<StartedRegistry> {
  const stateDir = options.stateDir ?? temporaryStateDir('registry');
  const ownsState = options.stateDir === undefined;
  const databaseName = options.databaseName ?? uniqueName('fleet_registry_t').toLowerCase();
  const ownsDatabase = options.databaseName === undefined;
  const postgres = new URL(infraSettings().databaseUrl);
  const database = {
    REGISTRY_DB_HOST: postgres.hostname,
    REGISTRY_DB_PORT: postgres.port || '5432',
    REGISTRY_DB_USER: decodeURIComponent(postgres.username) || 'postgres',
    REGISTRY_DB_PASSWORD: decodeURIComponent(postgres.password),
    REGISTRY_DB_NAME: databaseName,
  };
  const dropDatabase = () => dropRegistryDatabase(postgres, databaseName);
  return await startOnFreePorts('registry', 2, options.port, async ([port, managementPort]) => {
    const settings: Record<string, string> = {
      ...database,
      FLEET_STATE_DIR: stateDir,
      REGISTRY_PORT: String(port),
      REGISTRY_MANAGEMENT_PORT: String(managementPort),
      ...(options.heap ? { REGISTRY_HEAP: options.heap } : {}),
      ...(options.startTimeoutSeconds ? { REGISTRY_START_TIMEOUT: String(options.startTimeoutSeconds) } : {}),
    };
    try {
      await runLauncher(['up', 'registry'], settings);
    } catch (error) {
      // A start that timed out leaves the JVM running: stop it before trying elsewhere or failing.
      await runLauncher(['down', 'registry'], settings).catch(() => {});
      throw error;
    }
    return {
      url: `http://127.0.0.1:${port}/apis/ccompat/v7`,
      port: port as number,
      managementPort: managementPort as number,
      databaseName,
      stateDir,
      logFile: logFileOf(stateDir, 'registry'),
      async stop({ removeState = ownsState, dropDatabase: drop = ownsDatabase } = {}) {
        await runLauncher(['down', 'registry'], settings);
        if (drop) await dropDatabase();
        if (removeState) removeStateDir(stateDir);
      },
    };
  }).catch(async (error: unknown) => {
    if (ownsDatabase) await dropDatabase().catch(() => {});
    if (ownsState) removeStateDir(stateDir);
    throw error;
  });
}

async function dropRegistryDatabase(postgres: URL, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgres.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replaceAll('"', '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

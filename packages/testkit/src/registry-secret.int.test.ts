// infra.sh starts the registry with its database password in the environment, not on the command
// line: every user of the machine can read a process's command line (ps), only its owner the environment.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePorts } from './free-ports.ts';
import { uniqueName } from './unique-name.ts';

const launcher = new URL('../../../infra/native/infra.sh', import.meta.url).pathname;
const run = promisify(execFile);
const stateDir = mkdtempSync(join(tmpdir(), 'fleet-registry-secret-'));
let env: NodeJS.ProcessEnv | undefined;

afterAll(async () => {
  // reset: stops this state directory's registry and drops its database (the shared one is untouched).
  if (env) await run('bash', [launcher, 'reset'], { env }).catch(() => {});
  rmSync(stateDir, { recursive: true, force: true });
});

describe.skipIf(process.platform !== 'linux')('infra.sh registry start', () => {
  it('passes the database password through the environment, never on the command line', async () => {
    const [port, managementPort] = await freePorts(2, 18181);
    const password = `pw-${randomBytes(12).toString('hex')}`;
    env = {
      ...process.env,
      FLEET_STATE_DIR: stateDir,
      REGISTRY_PORT: String(port),
      REGISTRY_MANAGEMENT_PORT: String(managementPort),
      REGISTRY_DB_NAME: uniqueName('fleet_registry_secret').toLowerCase(),
      REGISTRY_DB_PASSWORD: password,
    };
    await run('bash', [launcher, 'up', 'registry'], { env, timeout: 150_000 });

    const pid = readFileSync(join(stateDir, 'run', 'registry.pid'), 'utf8').trim();
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    expect(commandLine.join(' ')).toContain('quarkus-run.jar'); // the registry itself, started and ready
    expect(commandLine.filter((arg) => arg.includes(password))).toEqual([]);
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')).toContain(
      `APICURIO_DATASOURCE_PASSWORD=${password}`,
    );
  });
});

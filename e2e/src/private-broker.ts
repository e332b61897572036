import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const launcher = new URL('../../infra/native/infra.sh', import.meta.url).pathname;

/**
 * A Kafka broker of the test's own (the native launcher, other ports, a temporary data dir): the
 * fleet's topics carry only this run's records, and the test may kill whatever it likes.
 */
export function startPrivateBroker(port: number): { brokers: string; stop(): void } {
  const stateDir = mkdtempSync(join(tmpdir(), 'fleet-e2e-'));
  const env = {
    ...process.env,
    FLEET_STATE_DIR: stateDir,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(port + 1),
  };
  const up = spawnSync('bash', [launcher, 'up', 'kafka'], { env, encoding: 'utf8' });
  if (up.status !== 0) throw new Error(`the private broker did not start:\n${up.stdout}\n${up.stderr}`);
  return {
    brokers: `127.0.0.1:${port}`,
    stop() {
      spawnSync('bash', [launcher, 'down', 'kafka'], { env, stdio: 'ignore' });
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts } from './free-ports.ts';

const launcher = new URL('../../../infra/native/kafka-secure.sh', import.meta.url).pathname;
const run = promisify(execFile);

/** A broker that speaks only SASL_SSL (infra/native/kafka-secure.sh), for one test file. */
export interface SecureBroker {
  brokers: string;
  /**
   * The fleet's client variables for it: SASL_SSL, SCRAM-SHA-512, the password as a file, the private
   * CA and the client certificate the broker requires. PLAIN: the same with KAFKA_SASL_MECHANISM=plain.
   */
  env: Record<string, string>;
  username: string;
  password: string;
  /** Its state directory (certificates, passwords, data, logs/kafka.log), removed by `stop()`. */
  stateDir: string;
  stop(): void;
}

/**
 * Starts a SASL_SSL broker of the test's own: free ports from 19093 up, a temporary state directory
 * (certificates, passwords, data), so the shared broker on 9092 is untouched. `stop()` removes it all.
 */
export async function startSecureBroker(): Promise<SecureBroker> {
  const [port, controllerPort] = await freePorts(2, 19093);
  const stateDir = mkdtempSync(join(tmpdir(), 'fleet-secure-kafka-'));
  const env = {
    ...process.env,
    SECURE_KAFKA_STATE_DIR: stateDir,
    SECURE_KAFKA_PORT: String(port),
    SECURE_KAFKA_CONTROLLER_PORT: String(controllerPort),
  };
  const stop = () => {
    try {
      execFileSync('bash', [launcher, 'down'], { env, stdio: 'ignore' });
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  };
  try {
    await run('bash', [launcher, 'up'], { env });
    const { stdout } = await run('bash', [launcher, 'env'], { env });
    const settings = Object.fromEntries(
      stdout
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    ) as Record<string, string>;
    return {
      brokers: settings.KAFKA_BROKERS ?? `127.0.0.1:${port}`,
      env: settings,
      username: settings.KAFKA_SASL_USERNAME ?? '',
      password: readFileSync(settings.KAFKA_SASL_PASSWORD_FILE ?? '', 'utf8').trim(),
      stateDir,
      stop,
    };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    stop();
    throw new Error(`the SASL_SSL broker did not start:\n${stdout}\n${stderr}`, { cause: error });
  }
}

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';

const fixture = new URL('./fixture-main.ts', import.meta.url).pathname;

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, [fixture], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = once(child, 'exit').then(([code]) => code as number);
  return { child, exited, output: () => ({ stdout, stderr }) };
}

const started = (child: ChildProcess) =>
  new Promise<void>((resolve) => child.stdout?.on('data', (d) => String(d).includes('started') && resolve()));

describe('runService', () => {
  it('stops start-up with exit 78 and every configuration problem', async () => {
    const service = run({ FIXTURE_CONFIG: 'bad' });
    expect(await service.exited).toBe(78);
    const { stderr, stdout } = service.output();
    expect(stderr).toContain('fixture: invalid configuration:\n  - A: is required but not set\n  - B: bad');
    expect(stderr).toContain('See the fixture for every variable.');
    expect(stdout).not.toContain('started');
  });

  it('stops gracefully on SIGTERM and exits 0', async () => {
    const service = run({});
    await started(service.child);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(service.output().stdout).toContain('stopped');
  });

  it('exits 1 when the graceful stop outlasts the shutdown timeout', async () => {
    const service = run({ FIXTURE_STOP_MS: '60000' });
    await started(service.child);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(1);
    expect(service.output().stdout).not.toContain('stopped');
  });

  it('exits at once (130) on a second signal', async () => {
    const service = run({ FIXTURE_STOP_MS: '60000' });
    await started(service.child);
    service.child.kill('SIGTERM');
    service.child.kill('SIGINT');
    expect(await service.exited).toBe(130);
  });
});

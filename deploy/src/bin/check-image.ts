#!/usr/bin/env node
// The image's contents without Docker: copies the build context as .dockerignore filters it into a
// temporary directory, runs the Dockerfile's build there (`pnpm install --frozen-lockfile --offline
// --prod` from the local pnpm store, then compile-workspace), then starts what the image runs, in the
// compiled form the manifests and compose start (`node --conditions=compiled <package>/dist/…js`) and
// with type stripping off, so that a module resolved to a `.ts` file fails: every service's main and
// the console's with no valid configuration must load all their modules and stop at their
// configuration check (exit 78), and the one-shot scripts and the CLI must print their usage.
// Run: `node deploy/src/bin/check-image.ts` (pnpm on PATH, e.g. via ./fleetw's toolchain). What it
// cannot check: the base image itself, and anything a real build pulls.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, matchesGlob } from 'node:path';
import { compiledCommand } from '../../../packages/service-kit/src/compile/compiled-entry.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const run = (command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 300_000 });

/** .dockerignore's rules, last match wins; a pattern also covers what is below a matching folder. */
const rules = readFileSync(join(root, '.dockerignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'))
  .map((line) => ({ keep: line.startsWith('!'), pattern: line.replace(/^!/, '').replace(/\/$/, '') }));
const ignored = (path: string) =>
  rules.reduce(
    (out, { keep, pattern }) =>
      matchesGlob(path, pattern) || matchesGlob(path, `${pattern}/**`) ? !keep : out,
    false,
  );

const files = run('git', ['ls-files', '--cached', '--others', '--exclude-standard'], root)
  .stdout.split('\n')
  .filter((f) => f && !ignored(f));
const context = mkdtempSync(join(tmpdir(), 'fleet-image-'));
let failures = 0;
try {
  for (const file of files) {
    mkdirSync(dirname(join(context, file)), { recursive: true });
    cpSync(join(root, file), join(context, file));
  }
  console.log(`context: ${files.length} files`);
  const install = run('pnpm', ['install', '--frozen-lockfile', '--offline', '--prod'], context);
  if (install.status !== 0) throw new Error(`install failed:\n${install.stdout}\n${install.stderr}`);
  const du = run('du', ['-sm', 'node_modules/.pnpm'], context).stdout.split('\t')[0];
  console.log(`install: ok, node_modules/.pnpm ${du} MB`);

  // The Dockerfile's compile step.
  const compile = run(
    'node',
    ['--disable-warning=ExperimentalWarning', 'packages/service-kit/src/bin/compile-workspace.ts'],
    context,
  );
  if (compile.status !== 0) throw new Error(`compile failed:\n${compile.stdout}\n${compile.stderr}`);
  console.log(`compile: ${compile.stdout.trim()}`);

  const bare: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', NODE_ENV: 'production' };
  /** A compiled start as the image runs it, with type stripping off: no `.ts` module may load. */
  const start = (source: string, args: string[], env: NodeJS.ProcessEnv) => {
    const [, ...flags] = compiledCommand(source);
    return run('node', ['--no-experimental-strip-types', ...flags, ...args], context, env);
  };
  const mains = [
    'order-intake',
    'inventory',
    'payments',
    'order-lifecycle',
    'order-view',
    'sales-analytics',
  ].map((service) => ({ source: `services/${service}/src/main.ts`, env: bare }));
  // The console has no required setting: a bad port stops it at the same check.
  mains.push({ source: 'console/src/main.ts', env: { ...bare, FLEET_CONSOLE_PORT: 'not-a-port' } });
  for (const { source, env } of mains) {
    const r = start(source, [], env);
    const ok = r.status === 78;
    failures += ok ? 0 : 1;
    console.log(
      `${ok ? 'ok  ' : 'FAIL'} ${compiledCommand(source).join(' ')}: exit ${r.status}${ok ? '' : `\n${r.stderr}`}`,
    );
  }
  for (const source of [
    'packages/contracts/src/bin/apply-topics.ts',
    'packages/contracts/src/bin/check-compatibility.ts',
    'packages/cli/src/main.ts',
  ]) {
    const r = start(source, ['--help'], bare);
    const ok = r.status === 0 && /usage/i.test(r.stdout);
    failures += ok ? 0 : 1;
    console.log(
      `${ok ? 'ok  ' : 'FAIL'} ${compiledCommand(source).join(' ')} --help: exit ${r.status}${ok ? '' : `\n${r.stderr}`}`,
    );
  }
} finally {
  rmSync(context, { recursive: true, force: true });
}
process.exitCode = failures ? 1 : 0;

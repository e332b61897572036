#!/usr/bin/env node
// The image's contents without Docker: copies the build context as .dockerignore filters it into a
// temporary directory, runs the Dockerfile's install there (`pnpm install --frozen-lockfile --offline
// --prod`, from the local pnpm store), then starts every service's main with an empty environment:
// each must load all its modules and stop at its configuration check (exit 78), and the one-shot
// scripts must print their usage. Run: `node deploy/src/bin/check-image.ts` (pnpm on PATH, e.g. via
// ./fleetw's toolchain). What it cannot check: the base image itself, and anything a real build pulls.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, matchesGlob } from 'node:path';

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

  const bare = { PATH: process.env.PATH ?? '', NODE_ENV: 'production' };
  for (const service of [
    'order-intake',
    'inventory',
    'payments',
    'order-lifecycle',
    'order-view',
    'sales-analytics',
  ]) {
    const r = run('node', [`services/${service}/src/main.ts`], context, bare);
    const ok = r.status === 78;
    failures += ok ? 0 : 1;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${service}: exit ${r.status}${ok ? '' : `\n${r.stderr}`}`);
  }
  for (const script of [
    'packages/contracts/src/bin/apply-topics.ts',
    'packages/contracts/src/bin/check-compatibility.ts',
    'packages/cli/src/main.ts',
  ]) {
    const r = run('node', [script, '--help'], context, bare);
    const ok = r.status === 0 && /usage/i.test(r.stdout);
    failures += ok ? 0 : 1;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${script} --help: exit ${r.status}${ok ? '' : `\n${r.stderr}`}`);
  }
} finally {
  rmSync(context, { recursive: true, force: true });
}
process.exitCode = failures ? 1 : 0;

#!/usr/bin/env node
// Where a scenario's CPU time goes: self time of a `node --cpu-prof` profile grouped by package
// (node_modules/<name>, our workspace packages, node: internals, GC, idle) and its top functions.
// Usage: node src/summarize-profile.ts results/profiles/D-….cpuprofile [--top 25]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' } },
});

/** `kafkajs`, `@fleet/processor`, `node:internal`, `(garbage collector)`… for a frame's script URL. */
function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const workspace = url.match(/\/(packages|services)\/([^/]+)\//);
  if (workspace) return `@fleet/${workspace[2]}`;
  if (url.includes('/bench/src/')) return '@fleet/bench';
  if (url.startsWith('node:')) return 'node: internals';
  return url;
}

for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    const fn = `${functionName || '(anonymous)'} ${pkg}${url ? `:${url.split('/').pop()}:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  }
  const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
  const busy = total - (byPackage.get('(idle)') ?? 0);
  process.stdout.write(
    `\n${file}: ${(total / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s not idle\n\nby package (self time):\n`,
  );
  for (const [pkg, us] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 20))
    process.stdout.write(`  ${pct(us)}  ${(us / 1e3).toFixed(0).padStart(7)} ms  ${pkg}\n`);
  process.stdout.write('\ntop functions (self time):\n');
  for (const [fn, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top)))
    process.stdout.write(`  ${pct(us)}  ${(us / 1e3).toFixed(0).padStart(7)} ms  ${fn}\n`);
}

// Type-checks the whole workspace in one TypeScript program: every tsconfig.json that only extends
// tsconfig.base.json and lists what it includes (nearly every package) joins one program with the
// union of their includes, the same files under the same options as each package's `tsc -p .`, but
// each file checked once (a package's own run re-checks the sources of every workspace package it
// imports: about 200 s of CPU for the workspace against 20 s). A tsconfig with options of its own
// (console/web) is checked on its own. Exits non-zero when any check fails.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const base = join(root, 'tsconfig.base.json');
const tsc = join(root, 'node_modules/typescript/bin/tsc');

const configs = execFileSync('git', ['ls-files', '*tsconfig.json'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((file) => file && file !== 'tsconfig.base.json');

const joined: string[] = [];
const separate: string[] = [];
for (const file of configs) {
  const config = JSON.parse(readFileSync(join(root, file), 'utf8')) as {
    extends?: string;
    include?: string[];
  };
  const plain =
    Object.keys(config).every((key) => key === 'extends' || key === 'include') &&
    config.extends !== undefined &&
    resolve(root, dirname(file), config.extends) === base &&
    Array.isArray(config.include);
  if (plain) joined.push(...(config.include ?? []).map((include) => join(root, dirname(file), include)));
  else separate.push(file);
}

// Inside the workspace (node_modules/.cache), so that `types: ["node"]` resolves as for the packages.
const program = join(root, 'node_modules/.cache/fleet-typecheck/tsconfig.json');
mkdirSync(dirname(program), { recursive: true });
writeFileSync(program, JSON.stringify({ extends: base, compilerOptions: { noEmit: true }, include: joined }));

let failed = 0;
for (const project of [program, ...separate.map((file) => join(root, file))]) {
  const check = spawnSync(process.execPath, [tsc, '-p', project, '--noEmit'], { stdio: 'inherit' });
  if (check.status !== 0) {
    failed++;
    console.error(`typecheck: ${project === program ? 'the workspace program' : project} has errors (above)`);
  }
}
console.log(
  `typecheck: ${configs.length - separate.length} packages in one program, ${separate.length} on their own: ${failed === 0 ? 'clean' : `${failed} failed`}`,
);
process.exit(failed === 0 ? 0 : 1);

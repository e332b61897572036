// Compiles the workspace's packages and services to JavaScript (`<package>/dist/`), so that services
// start without type stripping: `node --conditions=compiled services/<name>/dist/main.js`.
// Usage: node packages/service-kit/src/bin/compile-workspace.ts [package dir…]  (default: every package
// and service of the workspace and the console, `workspacePackages`). Run by ./fleetw start and the
// Dockerfile.
import { join, resolve } from 'node:path';
import { compilePackage } from '../compile/compile-package.ts';
import { workspacePackages } from '../compile/workspace-packages.ts';

const root = resolve(import.meta.dirname, '../../../..');
const given = process.argv.slice(2);
const dirs =
  given.length > 0 ? given.map((dir) => resolve(dir)) : workspacePackages(root).map((dir) => join(root, dir));
const started = performance.now();
let modules = 0;
for (const dir of dirs) {
  try {
    modules += await compilePackage(dir);
  } catch (error) {
    console.error(`compile-workspace: ${(error as Error).message}`);
    process.exit(1);
  }
}
console.log(
  `compiled ${modules} modules of ${dirs.length} packages to dist/ in ${Math.round(performance.now() - started)} ms`,
);

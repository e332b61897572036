import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { compileModule, compilerReady } from './compile-module.ts';

/** Tests and test kits are never run from `dist/`. */
const skipped = (name: string) => /\.test\.ts$/.test(name) || name === 'test';

/**
 * Compiles `<dir>/src/**.ts` into `<dir>/dist/**.js`, the same tree one level beside it, so that every
 * path a module computes from `import.meta.url` (`../../rules/…`, `createRequire`) still resolves.
 * Written to a temporary folder first and swapped in, so a process starting meanwhile never sees half a
 * tree. Returns the number of modules written.
 */
export async function compilePackage(dir: string): Promise<number> {
  await compilerReady;
  const src = join(dir, 'src');
  const next = join(dir, `dist.${process.pid}.tmp`);
  rmSync(next, { recursive: true, force: true });
  mkdirSync(next, { recursive: true });
  let count = 0;
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (skipped(entry.name)) continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const target = join(next, relative(src, path)).replace(/\.ts$/, '.js');
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, compileModule(readFileSync(path, 'utf8'), path));
        count++;
      }
    }
  };
  try {
    walk(src);
    rmSync(join(dir, 'dist'), { recursive: true, force: true });
    renameSync(next, join(dir, 'dist'));
  } finally {
    rmSync(next, { recursive: true, force: true });
  }
  return count;
}

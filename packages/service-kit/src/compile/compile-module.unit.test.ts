import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileModule, compilerReady } from './compile-module.ts';
import { compilePackage } from './compile-package.ts';

const source = `import type { Shape } from './shape.ts';
import { area } from './area.ts';
export { perimeter } from "../geometry/perimeter.ts";
import { z } from 'zod';
import data from './data.json' with { type: 'json' };
const lazy = () => import('./lazy.ts');
const label: string = 'see ./notes.ts';
export function twice(shape: Shape): number { return 2 * area(shape); }
`;

describe('compiling a workspace module ahead of time', () => {
  beforeAll(() => compilerReady);

  it('strips the types in place: every line and column stays where it was', () => {
    const out = compileModule(source, 'shapes.ts');
    expect(out.length).toBe(source.length);
    expect(out.split('\n').map((line) => line.length)).toEqual(source.split('\n').map((line) => line.length));
    expect(out.indexOf('export function twice')).toBe(source.indexOf('export function twice'));
    expect(out).not.toContain('Shape');
    expect(out).toContain('function twice(shape       )');
  });

  it('rewrites relative .ts specifiers of imports, re-exports and import() to .js, nothing else', () => {
    const out = compileModule(source, 'shapes.ts');
    expect(out).toContain("import { area } from './area.js';");
    expect(out).toContain('export { perimeter } from "../geometry/perimeter.js";');
    expect(out).toContain("import('./lazy.js')");
    expect(out).toContain("from 'zod'");
    expect(out).toContain("from './data.json'");
    // A string that is no specifier is left as it is.
    expect(out).toContain("'see ./notes.ts'");
  });

  it('refuses syntax that type stripping cannot erase, naming the file', () => {
    expect(() => compileModule('enum Colour { Red }', 'colour.ts')).toThrow(/colour\.ts/);
  });
});

describe('compiling a package', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'compile-package-'));
    mkdirSync(join(dir, 'src', 'inner'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
    writeFileSync(
      join(dir, 'src', 'main.ts'),
      "import { value } from './inner/value.ts';\nexport const answer: number = value * 2;\n",
    );
    writeFileSync(join(dir, 'src', 'inner', 'value.ts'), 'export const value: number = 21;\n');
    writeFileSync(join(dir, 'src', 'main.unit.test.ts'), 'throw new Error("tests are not compiled")\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes dist/ beside src/, without tests, that Node runs as JavaScript', async () => {
    expect(await compilePackage(dir)).toBe(2);
    expect(readdirSync(join(dir, 'dist')).sort()).toEqual(['inner', 'main.js']);
    const { answer } = (await import(pathToFileURL(join(dir, 'dist', 'main.js')).href)) as { answer: number };
    expect(answer).toBe(42);
    // Compiled again: the old tree is replaced whole, no temporary folder is left.
    expect(await compilePackage(dir)).toBe(2);
    expect(readdirSync(dir).sort()).toEqual(['dist', 'package.json', 'src']);
  });
});

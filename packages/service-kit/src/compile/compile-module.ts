import { stripTypeScriptTypes } from 'node:module';
import { init, parse } from 'es-module-lexer/minimal';

/** Loads the lexer's WebAssembly once; `compileModule` needs it. */
export const compilerReady: Promise<void> = init();

/**
 * One workspace module as Node runs it, compiled ahead of time: the types stripped exactly as Node's
 * own type stripping does (blanked, so every line and column stays where it was in the `.ts` file and
 * stack traces point at the source), and relative `.ts` specifiers of imports, re-exports and
 * literal `import()` calls rewritten to `.js` (same length). Bare specifiers are left alone: packages
 * resolve through their `exports` (the `compiled` condition selects their `dist/`).
 */
export function compileModule(source: string, file: string): string {
  let code: string;
  try {
    code = stripTypeScriptTypes(source, { mode: 'strip' });
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
  }
  const [imports] = parse(code, file);
  let out = '';
  let from = 0;
  for (const { n: specifier, s: start, e: end } of imports) {
    if (!specifier || !/^\.{1,2}\//.test(specifier) || !specifier.endsWith('.ts')) continue;
    const at = code.lastIndexOf('.ts', end);
    if (at < start) continue;
    out += `${code.slice(from, at)}.js`;
    from = at + 3;
  }
  return out + code.slice(from);
}

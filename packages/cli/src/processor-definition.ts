import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ProcessorDefinition } from '@fleet/processor';
import { z } from 'zod';
import { usageError } from './cli-error.ts';

/**
 * The `fleet` entry of a service package's package.json: where the declaration of its processor is.
 *
 *   "fleet": { "processor": { "name": "payments", "module": "./src/processor.ts", "export": "paymentsFromEnv" } }
 *
 * `export` names either the definition (`defineProcessor(...)`) or a function returning it, called
 * with the environment (e.g. payments reads its rules file from PAYMENTS_RULES_FILE, as its main does).
 */
const fleetEntrySchema = z.object({
  processor: z.object({
    name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'a processor name: lower case letters, digits and _'),
    module: z.string().min(1),
    export: z.string().min(1),
  }),
});

/** A processor a workspace package declares. */
export interface DeclaredProcessor {
  name: string;
  /** The package's name, e.g. `@fleet/payments`. */
  packageName: string;
  /** Absolute path of the module holding the declaration. */
  module: string;
  exportName: string;
}

/** The directory holding pnpm-workspace.yaml, looked for upwards from `from` (default: this CLI). */
export function workspaceRoot(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The package directories pnpm-workspace.yaml lists under `packages:`: plain entries (`e2e`) and
 * one-level globs (`services/*`); negations and deeper globs are not followed.
 */
export function workspacePackageDirs(root: string): string[] {
  const lines = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8').split('\n');
  const start = lines.findIndex((line) => /^packages:\s*$/.test(line));
  if (start < 0) return [];
  const patterns: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    const entry = /^\s+-\s+['"]?([^'"#\s]+)['"]?\s*(#.*)?$/.exec(line)?.[1];
    if (entry && !entry.startsWith('!')) patterns.push(entry.replace(/\/$/, ''));
  }
  return patterns.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [join(root, pattern)];
    const parent = join(root, pattern.slice(0, -2));
    if (!existsSync(parent)) return [];
    return readdirSync(parent, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join(parent, d.name))
      .sort();
  });
}

/** Every processor the workspace's packages declare with a `fleet.processor` entry, by name. */
export function declaredProcessors(root: string): DeclaredProcessor[] {
  const declared: DeclaredProcessor[] = [];
  for (const dir of workspacePackageDirs(root)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; fleet?: unknown };
    if (pkg.fleet === undefined) continue;
    const parsed = fleetEntrySchema.safeParse(pkg.fleet);
    if (!parsed.success)
      throw usageError(
        'BAD_FLEET_ENTRY',
        `${file}: its "fleet" entry must be { "processor": { "name", "module", "export" } }: ${parsed.error.issues
          .map((i) => `${['fleet', ...i.path].join('.')}: ${i.message}`)
          .join('; ')}`,
      );
    const { name, module, export: exportName } = parsed.data.processor;
    const other = declared.find((d) => d.name === name);
    if (other)
      throw usageError(
        'BAD_FLEET_ENTRY',
        `processor ${name} is declared by two packages, ${other.packageName} and ${pkg.name ?? dir}; one name each`,
      );
    declared.push({ name, packageName: pkg.name ?? dir, module: resolve(dir, module), exportName });
  }
  return declared;
}

/**
 * Loads a processor's declaration: from `--definition <module>` when given (an export that is the
 * definition named so), else from the workspace package whose package.json declares the processor
 * (`fleet.processor`; `-` in the name read as `_`).
 */
export async function loadProcessorDefinition(
  name: string,
  options: { modulePath?: string | undefined; env?: NodeJS.ProcessEnv; root?: string } = {},
): Promise<ProcessorDefinition<unknown>> {
  if (options.modulePath) return loadFromModule(name, resolve(options.modulePath));
  const root = options.root ?? workspaceRoot();
  if (!root)
    throw usageError(
      'UNKNOWN_DEFINITION',
      `no pnpm-workspace.yaml above ${dirname(fileURLToPath(import.meta.url))} to find processor ${name} in; pass --definition <module exporting defineProcessor(...)>`,
    );
  const all = declaredProcessors(root);
  const wanted = name.replaceAll('-', '_');
  const declared = all.find((d) => d.name === wanted);
  if (!declared)
    throw usageError(
      'UNKNOWN_DEFINITION',
      `no package of the workspace declares processor ${name} (a "fleet": { "processor": … } entry in its package.json); declared: ${all.map((d) => d.name).join(', ') || 'none'}; or pass --definition <module exporting defineProcessor(...)>`,
    );
  if (!existsSync(declared.module))
    throw usageError(
      'UNKNOWN_DEFINITION',
      `${declared.packageName} declares processor ${declared.name} in ${declared.module}, which does not exist`,
    );
  const exports = (await import(pathToFileURL(declared.module).href)) as Record<string, unknown>;
  const where = `${declared.packageName} (${declared.module}, export ${declared.exportName})`;
  if (!(declared.exportName in exports))
    throw usageError('UNKNOWN_DEFINITION', `${where}: the module has no such export`);
  const exported = exports[declared.exportName];
  let definition = exported;
  if (typeof exported === 'function')
    try {
      definition = await (exported as (env: NodeJS.ProcessEnv) => unknown)(options.env ?? process.env);
    } catch (error) {
      // E.g. a rules file the service would refuse as well: the operator fixes its variable.
      throw usageError('BAD_DEFINITION', `${where} failed: ${(error as Error).message ?? String(error)}`);
    }
  if (!isDefinition(definition))
    throw usageError(
      'UNKNOWN_DEFINITION',
      `${where} is neither a processor definition nor a function returning one`,
    );
  if (definition.name !== declared.name)
    throw usageError(
      'UNKNOWN_DEFINITION',
      `${where} is processor ${definition.name}, but the package.json declares ${declared.name}`,
    );
  return definition;
}

async function loadFromModule(name: string, file: string): Promise<ProcessorDefinition<unknown>> {
  if (!existsSync(file)) throw usageError('UNKNOWN_DEFINITION', `--definition ${file}: no such module`);
  const exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const definition = Object.values(exports).find(
    (value): value is ProcessorDefinition<unknown> => isDefinition(value) && value.name === name,
  );
  if (!definition) throw usageError('UNKNOWN_DEFINITION', `${file} exports no processor named ${name}`);
  return definition;
}

function isDefinition(value: unknown): value is ProcessorDefinition<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { name?: unknown }).name === 'string' &&
    Array.isArray((value as { routes?: unknown }).routes)
  );
}

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProcessorDefinition } from '@fleet/processor';
import { usageError } from './cli-error.ts';

// The repository's services folder: a service declares itself in services/<name>/src/processor.ts.
const servicesDir = new URL('../../../services/', import.meta.url);

/**
 * Loads a processor's declaration: from `--definition <module>` when given, else by convention from
 * `services/<name>/src/processor.ts` (the folder named like the processor, `_` read as `-`).
 */
export async function loadProcessorDefinition(
  name: string,
  modulePath?: string,
): Promise<ProcessorDefinition<unknown>> {
  const candidates = modulePath
    ? [resolve(modulePath)]
    : [name, name.replaceAll('_', '-')].map(
        (folder) => new URL(`${folder}/src/processor.ts`, servicesDir).pathname,
      );
  const file = candidates.find((f) => existsSync(f));
  if (!file)
    throw usageError(
      'UNKNOWN_DEFINITION',
      `no declaration of processor ${name} at ${candidates.join(' or ')}; pass --definition <module exporting defineProcessor(...)>`,
    );
  const exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const definition = Object.values(exports).find(
    (value): value is ProcessorDefinition<unknown> =>
      typeof value === 'object' &&
      value !== null &&
      (value as { name?: unknown }).name === name &&
      Array.isArray((value as { routes?: unknown }).routes),
  );
  if (!definition) throw usageError('UNKNOWN_DEFINITION', `${file} exports no processor named ${name}`);
  return definition;
}

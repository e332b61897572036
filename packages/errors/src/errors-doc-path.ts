import { resolve } from 'node:path';

/** Where the generated reference lives: docs/errors.md at the root of the repository. */
export const errorsDocPath = resolve(import.meta.dirname, '../../../docs/errors.md');

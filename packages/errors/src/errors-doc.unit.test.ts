import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorAreas } from './error-catalogue.ts';
import { renderErrorsDoc } from './errors-doc.ts';
import { errorsDocPath } from './errors-doc-path.ts';

describe('docs/errors.md', () => {
  it('is what the catalogue generates', () => {
    const onDisk = readFileSync(errorsDocPath, 'utf8');
    expect(
      onDisk === renderErrorsDoc(),
      'docs/errors.md is out of date: run `pnpm errors-doc` and commit it',
    ).toBe(true);
  });

  it('lists every code with its HTTP status and exit code', () => {
    const doc = renderErrorsDoc();
    for (const area of errorAreas)
      for (const [code, spec] of Object.entries(area.codes))
        expect(doc).toMatch(
          new RegExp(`^\\| \`${code}\` \\|.*\\| ${spec.httpStatus} \\| ${spec.exitCode} \\|$`, 'm'),
        );
  });
});

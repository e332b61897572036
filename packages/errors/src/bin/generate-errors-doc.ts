#!/usr/bin/env node
// Writes docs/errors.md from the catalogue (`--check`: fails when the file is out of date).
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { renderErrorsDoc } from '../errors-doc.ts';
import { errorsDocPath } from '../errors-doc-path.ts';

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
const doc = renderErrorsDoc();
if (values.check) {
  const current = await readFile(errorsDocPath, 'utf8').catch(() => '');
  if (current !== doc) {
    console.error(`${errorsDocPath} is out of date: run \`pnpm errors-doc\`.`);
    process.exit(1);
  }
  console.log(`${errorsDocPath} is up to date.`);
} else {
  await writeFile(errorsDocPath, doc);
  console.log(`Wrote ${errorsDocPath}`);
}

#!/usr/bin/env node
// Writes the AsyncAPI 3.0 document of the order-fulfilment fleet (docs/asyncapi.yaml by default).
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { orderAsyncApiYaml } from '../orders/order-asyncapi.ts';

export const defaultAsyncApiPath = resolve(import.meta.dirname, '../../../../docs/asyncapi.yaml');

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: defaultAsyncApiPath },
    check: { type: 'boolean', default: false },
  },
});
const out = values.out ?? defaultAsyncApiPath;
const yaml = orderAsyncApiYaml();
if (values.check) {
  const current = await readFile(out, 'utf8').catch(() => '');
  if (current !== yaml) {
    console.error(`${out} is out of date: run \`pnpm --filter @fleet/contracts asyncapi\`.`);
    process.exit(1);
  }
  console.log(`${out} is up to date.`);
} else {
  await writeFile(out, yaml);
  console.log(`Wrote ${out}`);
}

#!/usr/bin/env node
// `pnpm bench:fleet-memory` — resident memory of the demo's services.
//   --idle   each service alone, idle, started from source (before), compiled, compiled within the budget
//   --demo   the demo fleet (as ./fleetw start launches it, own namespace) at --rate orders/s for --minutes
//            (--before: from src/main.ts with V8's defaults, as the services were started before)
// --write saves results/fleet-memory-<idle|demo>.{json,md} and the README section; --from FILE re-renders.
// Run the demo mode under `flock /tmp/fleet-heavy.lock` on a shared machine: it is the whole fleet.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { budgetFrom, compileWorkspace } from '../../scripts/service-launch.ts';
import { measureDemo } from './fleet-memory-demo.ts';
import { measureIdle } from './fleet-memory-idle.ts';
import {
  type DemoResult,
  demoSection,
  type IdleResult,
  renderDemo,
  renderIdle,
} from './fleet-memory-report.ts';
import { replaceSection } from './readme-sections.ts';

const { values } = parseArgs({
  options: {
    idle: { type: 'boolean', default: false },
    demo: { type: 'boolean', default: false },
    before: { type: 'boolean', default: false },
    rate: { type: 'string', default: '50' },
    minutes: { type: 'string', default: '10' },
    'target-mb': { type: 'string', default: '150' },
    'settle-seconds': { type: 'string', default: '10' },
    port: { type: 'string', default: '8141' },
    services: { type: 'string' },
    write: { type: 'boolean', default: false },
    from: { type: 'string' },
  },
});
const bench = resolve(import.meta.dirname, '..');
if (values.idle === values.demo && !values.from) {
  console.error('fleet-memory: give --idle or --demo (or --from results/fleet-memory-<kind>.json)');
  process.exit(2);
}
// The services' paths (services/<name>/…) and scripts/start.ts are relative to the workspace.
process.chdir(resolve(bench, '..'));

let markdown: string;
let json: IdleResult | DemoResult;
if (values.from) {
  json = JSON.parse(readFileSync(resolve(bench, values.from), 'utf8')) as IdleResult | DemoResult;
  markdown = 'rows' in json ? renderIdle(json) : renderDemo(json);
} else {
  if (!compileWorkspace()) process.exit(1);
  json = values.demo
    ? await measureDemo({
        rate: Number(values.rate),
        minutes: Number(values.minutes),
        targetMb: Number(values['target-mb']),
        sampleSeconds: 5,
        before: values.before,
      })
    : await measureIdle({
        budgetMb: budgetFrom(process.env),
        settleSeconds: Number(values['settle-seconds']),
        port: Number(values.port),
        ...(values.services ? { services: values.services.split(',') } : {}),
      });
  markdown = 'rows' in json ? renderIdle(json) : renderDemo(json);
}
console.log(markdown);
const section = 'rows' in json ? 'fleet-memory-idle' : demoSection(json);
if (values.write) {
  const base = resolve(bench, 'results', section);
  writeFileSync(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(`${base}.md`, `${markdown}\n`);
  const readme = resolve(bench, 'README.md');
  writeFileSync(readme, replaceSection(readFileSync(readme, 'utf8'), section, markdown));
  console.error(`written: results/${section}.json, results/${section}.md, README.md`);
}

// Prints the tasks that ./fleetw runs (the root package.json scripts).
import { readFileSync } from 'node:fs';

const { scripts } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  scripts: Record<string, string>;
};
console.log('usage: ./fleetw <task> [args]\n');
for (const [name, command] of Object.entries(scripts)) console.log(`  ${name.padEnd(12)} ${command}`);

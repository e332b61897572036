import { MAX_BACKOFF_MS } from './route-policy.ts';

/**
 * PostgreSQL cuts identifiers at 63 bytes, so two long names would meet as one schema: the longest
 * suffix a rebuild adds (`__rolled_back`, 13) must fit after the name.
 */
export const MAX_SCHEMA_NAME_LENGTH = 63 - '__rolled_back'.length;

/** More attempts than this is a typo or a wish to retry forever, which RetryableError expresses. */
export const MAX_ATTEMPTS_LIMIT = 100;

/** What a Node timer can hold: a longer interval fires every millisecond. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const routeOptionNames = new Set(['maxAttempts', 'backoff', 'onExhausted']);

// Read as they may come from JavaScript: every field may be missing or wrong.
type Loose<T> = { readonly [K in keyof T]?: unknown };
interface Checked {
  name: unknown;
  routes: readonly Loose<{ event: { type: string }; handler: unknown; options: object }>[];
  publishes?: readonly Loose<{ type: string; topic: { name: string } }>[] | undefined;
  schedules?: readonly Loose<{ name: string; everyMs: number; run: unknown }>[] | undefined;
  lockAhead?: unknown;
}

/**
 * Everything wrong with a definition, each problem a sentence naming the route or schedule and the
 * value; empty when it is fine. Also catches what the compiler cannot (a definition built in
 * JavaScript or from configuration).
 */
export function definitionProblems(definition: Checked): string[] {
  return [
    ...nameProblems(definition.name),
    ...routeProblems(definition.routes),
    ...publishesProblems(definition.publishes),
    ...scheduleProblems(definition.schedules ?? []),
    ...(definition.lockAhead === undefined || typeof definition.lockAhead === 'function'
      ? []
      : ['lockAhead must be a function (events, { db }) => Promise<void>']),
  ];
}

function nameProblems(name: unknown): string[] {
  if (typeof name !== 'string' || !/^[a-z][a-z0-9_]*$/.test(name))
    return [`name ${JSON.stringify(name)} must be lower case letters, digits and _ (it names a schema)`];
  if (name.length > MAX_SCHEMA_NAME_LENGTH)
    return [
      `name "${name}" is ${name.length} characters long, at most ${MAX_SCHEMA_NAME_LENGTH}: it names a schema, and the schemas of its rebuilds add up to 13 more within PostgreSQL's 63`,
    ];
  return [];
}

function routeProblems(routes: Checked['routes']): string[] {
  if (!Array.isArray(routes)) return ['routes must be an array of on(…) and onBatch(…)'];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [i, route] of routes.entries()) {
    const type = (route?.event as { type?: unknown } | undefined)?.type;
    if (typeof type !== 'string' || typeof route.handler !== 'function') {
      problems.push(
        `routes[${i}] is not a route: declare it with on(Event, handler) or onBatch(Event, handler)`,
      );
      continue;
    }
    if (seen.has(type)) problems.push(`routes ${type} twice; one handler per event type`);
    seen.add(type);
    problems.push(...policyProblems(`route ${type}`, (route.options as object | undefined) ?? {}));
  }
  return problems;
}

/** A route's policies: known names only, and values an operator would mean. */
function policyProblems(where: string, options: object): string[] {
  const problems = Object.keys(options)
    .filter((key) => !routeOptionNames.has(key))
    .map((key) => `${where}: unknown option "${key}" (known: ${[...routeOptionNames].join(', ')})`);
  const { maxAttempts, backoff, onExhausted } = options as Record<string, unknown>;
  if (maxAttempts !== undefined && !isIntegerIn(maxAttempts, 1, MAX_ATTEMPTS_LIMIT))
    problems.push(
      `${where}: maxAttempts must be an integer from 1 to ${MAX_ATTEMPTS_LIMIT}, not ${show(maxAttempts)}`,
    );
  if (backoff !== undefined) {
    const { initialMs, maxMs } = (backoff ?? {}) as { initialMs?: unknown; maxMs?: unknown };
    if (
      !isIntegerIn(initialMs, 1, MAX_BACKOFF_MS) ||
      !isIntegerIn(maxMs, 1, MAX_BACKOFF_MS) ||
      (maxMs as number) < (initialMs as number)
    )
      problems.push(
        `${where}: backoff must be { initialMs, maxMs }, integers from 1 to ${MAX_BACKOFF_MS} with initialMs <= maxMs, not ${show(backoff)}`,
      );
  }
  if (onExhausted !== undefined && onExhausted !== 'dead-letter' && onExhausted !== 'stop')
    problems.push(`${where}: onExhausted must be "dead-letter" or "stop", not ${show(onExhausted)}`);
  return problems;
}

function publishesProblems(publishes: Checked['publishes']): string[] {
  if (publishes === undefined) return [];
  if (!Array.isArray(publishes)) return ['publishes must be an array of event types'];
  return publishes.flatMap((e, i) =>
    typeof e?.type === 'string' && typeof (e.topic as { name?: unknown } | undefined)?.name === 'string'
      ? []
      : [`publishes[${i}] is not an event type (defineEvent(…))`],
  );
}

function scheduleProblems(schedules: NonNullable<Checked['schedules']>): string[] {
  if (!Array.isArray(schedules)) return ['schedules must be an array'];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [i, schedule] of schedules.entries()) {
    const name = schedule?.name;
    const where = typeof name === 'string' && name ? `schedule ${name}` : `schedules[${i}]`;
    if (typeof name !== 'string' || !name) problems.push(`${where} has no name (it names its lock)`);
    else if (seen.has(name)) problems.push(`${where} is declared twice; names are unique`);
    if (typeof name === 'string') seen.add(name);
    if (!isIntegerIn(schedule?.everyMs, 1, MAX_TIMER_MS))
      problems.push(
        `${where}: everyMs must be an integer from 1 to ${MAX_TIMER_MS}, not ${show(schedule?.everyMs)}`,
      );
    if (typeof schedule?.run !== 'function') problems.push(`${where}: run must be a function`);
  }
  return problems;
}

const isIntegerIn = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

const show = (value: unknown) =>
  typeof value === 'string' || (typeof value === 'object' && value !== null)
    ? JSON.stringify(value)
    : String(value);

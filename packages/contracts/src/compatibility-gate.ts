import type { EventType } from './define-event.ts';
import { compatibilityLevelOf } from './event-codec.ts';
import { type JsonSchema, jsonSchemaOf } from './json-schema-of.ts';
import { type CompatibilityLevel, RegistryHttp } from './registry-http.ts';
import { breaksAt, diffJsonSchemas, type SchemaChange } from './schema-diff.ts';

export type CompatibilityStatus = 'new' | 'unchanged' | 'compatible' | 'incompatible';

export interface SubjectVerdict {
  eventType: string;
  subject: string;
  /** The level the registry checks with (the subject's own, else the one the contracts declare). */
  level: CompatibilityLevel;
  /** The level the contracts declare; registration sets it. */
  declaredLevel: CompatibilityLevel;
  status: CompatibilityStatus;
  /** The registry's reasons for a break (Confluent: verbose messages; Apicurio: rule-violation causes). */
  registryMessages: string[];
  /** Field-level differences with the latest registered version, from the local diff. */
  changes: SchemaChange[];
  /** The local diff finds a break the registry let through (see the README: Apicurio's blind spots). */
  localBreak: boolean;
}

export interface CompatibilityReport {
  ok: boolean;
  verdicts: SubjectVerdict[];
}

/**
 * Asks the registry, for every event type, whether its current schema could be registered next under
 * its subject (`POST /compatibility/subjects/{subject}/versions/latest?verbose=true`), and explains
 * breaks. A subject without versions is "new". `ok` is false on any break, by the registry's verdict
 * or the local diff's.
 */
export async function checkCompatibility(options: {
  registryUrl: string;
  events: readonly EventType[];
  auth?: { username: string; password: string };
}): Promise<CompatibilityReport> {
  const http = new RegistryHttp(options.registryUrl, options.auth);
  const verdicts = await Promise.all(options.events.map((e) => verdictOf(http, e)));
  return { ok: verdicts.every((v) => v.status !== 'incompatible'), verdicts };
}

async function verdictOf(http: RegistryHttp, eventType: EventType): Promise<SubjectVerdict> {
  const subject = eventType.subject;
  const declaredLevel = compatibilityLevelOf(eventType);
  const level = (await http.subjectCompatibility(subject)) ?? declaredLevel;
  const schema = jsonSchemaOf(eventType);
  const text = JSON.stringify(schema);
  const verdict: SubjectVerdict = {
    eventType: eventType.type,
    subject,
    level,
    declaredLevel,
    status: 'new',
    registryMessages: [],
    changes: [],
    localBreak: false,
  };
  const latest = await http.latestSchema(subject);
  if (!latest) return verdict;

  verdict.changes = diffJsonSchemas(JSON.parse(latest.schema) as JsonSchema, schema);
  const answer = await http.testCompatibility(subject, text);
  if (answer.isCompatible) {
    verdict.localBreak = verdict.changes.some((c) => breaksAt(c, level));
    verdict.status = verdict.localBreak
      ? 'incompatible'
      : latest.schema === text || verdict.changes.length === 0
        ? 'unchanged'
        : 'compatible';
    return verdict;
  }
  verdict.status = 'incompatible';
  verdict.registryMessages =
    answer.messages.length > 0 ? answer.messages : ((await http.apicurioRuleViolations(subject, text)) ?? []);
  return verdict;
}

/** The report as text for a terminal or a CI log. */
export function formatCompatibilityReport(report: CompatibilityReport): string {
  const lines: string[] = [];
  for (const v of report.verdicts) {
    const mark = v.status === 'incompatible' ? 'BREAK' : v.status.toUpperCase();
    lines.push(`${mark.padEnd(12)} ${v.subject}  [${v.level}]`);
    if (v.level !== v.declaredLevel)
      lines.push(`             level will change to ${v.declaredLevel} at the next registration`);
    if (v.status !== 'incompatible') {
      for (const c of v.changes) lines.push(`             ~ ${c.path || '(root)'}: ${c.description}`);
      continue;
    }
    if (v.localBreak)
      lines.push('             the registry accepts it, but the local diff finds a break at this level:');
    for (const m of v.registryMessages) lines.push(`             registry: ${m}`);
    for (const c of v.changes)
      lines.push(
        `             ${breaksAt(c, v.level) ? '✗' : '~'} ${c.path || '(root)'}: ${c.description}${breaksAt(c, v.level) ? ` (breaks ${v.level})` : ''}`,
      );
  }
  const broken = report.verdicts.filter((v) => v.status === 'incompatible').length;
  lines.push('');
  lines.push(
    broken === 0
      ? `All ${report.verdicts.length} subjects compatible.`
      : `${broken} of ${report.verdicts.length} subjects would break their readers. Keep the change compatible (add fields as optional), or publish a new version of the event (version + 1, with upcastFrom) instead.`,
  );
  return lines.join('\n');
}

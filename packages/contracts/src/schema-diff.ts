import type { JsonSchema } from './json-schema-of.ts';
import type { CompatibilityLevel } from './registry-http.ts';

/** One difference between two versions of an event's JSON Schema, and whom it breaks. */
export interface SchemaChange {
  /** Dotted path of the field (`lines[].sku`); empty for the root. */
  path: string;
  description: string;
  /** New readers can no longer read old data. */
  breaksBackward: boolean;
  /** Old readers can no longer read new data. */
  breaksForward: boolean;
}

type Node = Record<string, unknown>;

const constraints = [
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'pattern',
  'format',
];

/**
 * A field-level diff of two closed-content-model JSON Schemas (as `jsonSchemaOf` produces). Used to
 * explain a registry verdict in words, and as a second opinion: it flags field removals/additions,
 * required-ness, type and enum changes. Constraint changes (min/max/pattern/format) are listed but
 * judged by the registry only.
 */
export function diffJsonSchemas(previous: JsonSchema, next: JsonSchema): SchemaChange[] {
  const changes: SchemaChange[] = [];
  walk(previous, next, '', changes);
  return changes;
}

/** Whether a change breaks a subject at this level. */
export function breaksAt(change: SchemaChange, level: CompatibilityLevel): boolean {
  if (level === 'NONE') return false;
  if (level.startsWith('BACKWARD')) return change.breaksBackward;
  if (level.startsWith('FORWARD')) return change.breaksForward;
  return change.breaksBackward || change.breaksForward;
}

function walk(a: Node, b: Node, path: string, out: SchemaChange[]): void {
  const typeA = typeOf(a);
  const typeB = typeOf(b);
  if (typeA !== typeB) {
    // integer → number widens (new readers accept old data); number → integer narrows.
    const widened = typeA === 'integer' && typeB === 'number';
    const narrowed = typeA === 'number' && typeB === 'integer';
    out.push(change(path, `type changed from ${typeA} to ${typeB}`, !widened, !narrowed));
    if (!widened && !narrowed) return;
  }
  const enumA = a.enum as unknown[] | undefined;
  const enumB = b.enum as unknown[] | undefined;
  if (enumA && enumB) {
    const removed = enumA.filter((v) => !enumB.includes(v));
    const added = enumB.filter((v) => !enumA.includes(v));
    if (removed.length) out.push(change(path, `enum values removed: ${removed.join(', ')}`, true, false));
    if (added.length) out.push(change(path, `enum values added: ${added.join(', ')}`, false, true));
  }
  for (const key of constraints)
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key]))
      out.push(change(path, `${key} changed from ${show(a[key])} to ${show(b[key])}`, false, false));

  if (typeA === 'object') {
    const propsA = (a.properties ?? {}) as Record<string, Node>;
    const propsB = (b.properties ?? {}) as Record<string, Node>;
    const reqA = new Set((a.required ?? []) as string[]);
    const reqB = new Set((b.required ?? []) as string[]);
    const closedB = b.additionalProperties === false;
    const closedA = a.additionalProperties === false;
    for (const name of Object.keys(propsA)) {
      const at = join(path, name);
      const pb = propsB[name];
      if (!pb) {
        out.push(
          change(at, `${reqA.has(name) ? 'required' : 'optional'} field removed`, closedB, reqA.has(name)),
        );
        continue;
      }
      if (!reqA.has(name) && reqB.has(name)) out.push(change(at, 'field became required', true, false));
      if (reqA.has(name) && !reqB.has(name)) out.push(change(at, 'field became optional', false, true));
      walk(propsA[name] as Node, pb, at, out);
    }
    for (const name of Object.keys(propsB)) {
      if (propsA[name]) continue;
      const required = reqB.has(name);
      out.push(
        change(
          join(path, name),
          required ? 'new required field (old data lacks it)' : 'new optional field',
          required,
          closedA || required,
        ),
      );
    }
  }
  if (typeA === 'array' && isNode(a.items) && isNode(b.items)) walk(a.items, b.items, `${path}[]`, out);
}

function typeOf(node: Node): string {
  const t = node.type;
  if (Array.isArray(t)) return t.join('|');
  if (typeof t === 'string') return t;
  if (node.enum) return 'string';
  return 'any';
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

function show(v: unknown): string {
  if (v === undefined) return 'none';
  const text = JSON.stringify(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function change(
  path: string,
  description: string,
  breaksBackward: boolean,
  breaksForward: boolean,
): SchemaChange {
  return { path, description, breaksBackward, breaksForward };
}

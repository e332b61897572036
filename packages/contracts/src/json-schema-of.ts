import { z } from 'zod';
import type { EventType } from './define-event.ts';

/** A JSON Schema document, as produced by `z.toJSONSchema`. */
export type JsonSchema = Record<string, unknown>;

/**
 * The JSON Schema registered for an event type: what producers write, after defaults (zod's "output"
 * view), as draft-07. Draft-07 because Apicurio's compatibility checker cannot read draft 2020-12
 * (`POST /compatibility/...` answers 500 "could not determine version"), and without `$schema` it reads
 * draft-04 (and chokes on numeric `exclusiveMinimum`). Objects are closed (`additionalProperties:
 * false`): with a closed content model adding an optional field is BACKWARD compatible and removing a
 * field is not, which is what the fleet's zod readers need.
 */
export function jsonSchemaOf(eventType: EventType): JsonSchema {
  const schema = z.toJSONSchema(eventType.schema, {
    target: 'draft-7',
    unrepresentable: 'throw',
  }) as JsonSchema;
  return { ...schema, title: eventType.type, description: eventType.description };
}

/** Stable text of the schema, as registered (same input → same bytes → same registry id). */
export function jsonSchemaTextOf(eventType: EventType): string {
  return JSON.stringify(jsonSchemaOf(eventType));
}

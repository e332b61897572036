import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { breaksAt, diffJsonSchemas } from './schema-diff.ts';

const first = <T>(xs: T[]): T => {
  const [x] = xs;
  if (x === undefined) throw new Error('no change found');
  return x;
};
const js = (s: z.ZodType) => z.toJSONSchema(s, { target: 'draft-7' }) as Record<string, unknown>;
const base = z.object({ id: z.string(), n: z.number().int(), tags: z.array(z.object({ k: z.string() })) });

describe('diffJsonSchemas', () => {
  it('judges field changes for a closed content model', () => {
    const removed = diffJsonSchemas(js(base), js(base.omit({ n: true })));
    expect(removed).toMatchObject([{ path: 'n', description: 'required field removed' }]);
    expect(breaksAt(first(removed), 'BACKWARD')).toBe(true);

    const optional = diffJsonSchemas(js(base), js(base.extend({ note: z.string().optional() })));
    expect(optional).toMatchObject([{ path: 'note', breaksBackward: false, breaksForward: true }]);
    expect(breaksAt(first(optional), 'BACKWARD')).toBe(false);
    expect(breaksAt(first(optional), 'FULL_TRANSITIVE')).toBe(true);

    const retyped = diffJsonSchemas(js(base), js(base.extend({ n: z.string() })));
    expect(retyped[0]).toMatchObject({ path: 'n', description: 'type changed from integer to string' });

    const nested = diffJsonSchemas(
      js(base),
      js(base.extend({ tags: z.array(z.object({ k: z.string(), v: z.string() })) })),
    );
    expect(nested[0]).toMatchObject({ path: 'tags[].v', breaksBackward: true });
  });
});

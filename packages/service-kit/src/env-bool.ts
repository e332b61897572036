import { z } from 'zod';

/** `true`/`false`/`1`/`0`, as environment variables spell booleans. */
export const envBool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

import type { EventData } from '@fleet/contracts';
import { PaymentDeclined } from '@fleet/contracts/orders';
import { z } from 'zod';

/** The facts a rule may test: what the order says about the payment. */
export const paymentFacts = ['orderId', 'customerId', 'totalCents', 'currency'] as const;
export type PaymentFacts = { orderId: string; customerId: string; totalCents: number; currency: string };

/** json-rules-engine's built-in operators plus `startsWith` (registered by the decider). */
export const ruleOperators = [
  'equal',
  'notEqual',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
  'startsWith',
] as const;

/** The codes PaymentDeclined can carry: its `reason` enum, taken from the contract itself. */
export type DeclineCode = EventData<typeof PaymentDeclined>['reason'];
const declineCodes = (
  PaymentDeclined.schema as unknown as z.ZodObject<{ reason: z.ZodEnum<{ [K in DeclineCode]: K }> }>
).shape.reason;

export type RuleCondition =
  | { fact: (typeof paymentFacts)[number]; operator: (typeof ruleOperators)[number]; value: unknown }
  | { all: RuleCondition[] }
  | { any: RuleCondition[] }
  | { not: RuleCondition };

const fact = z.strictObject({
  fact: z.enum(paymentFacts),
  operator: z.enum(ruleOperators),
  value: z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))]),
});
const condition: z.ZodType<RuleCondition> = z.lazy(() =>
  z.union([
    fact,
    z.strictObject({ all: z.array(condition).min(1) }),
    z.strictObject({ any: z.array(condition).min(1) }),
    z.strictObject({ not: condition }),
  ]),
);
const topLevel = z.union([
  z.strictObject({ all: z.array(condition).min(1) }),
  z.strictObject({ any: z.array(condition).min(1) }),
  z.strictObject({ not: condition }),
]);

const rule = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'kebab-case, e.g. amount-limit'),
  description: z.string().optional(),
  /** Higher wins when several rules fire; equal priorities: the earlier rule in the file. */
  priority: z.number().int().min(1).max(1000),
  conditions: topLevel,
  event: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('decline'), params: z.strictObject({ code: declineCodes }) }),
    z.strictObject({ type: z.literal('authorize') }),
  ]),
});
export type PaymentRule = z.infer<typeof rule>;

export const paymentRulesSchema = z
  .strictObject({
    $schema: z.string().optional(),
    description: z.string().optional(),
    rules: z.array(rule),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.rules.forEach((r, i) => {
      if (seen.has(r.name))
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, 'name'],
          message: `duplicate rule name ${r.name}`,
        });
      seen.add(r.name);
    });
  });
export type PaymentRules = z.infer<typeof paymentRulesSchema>;

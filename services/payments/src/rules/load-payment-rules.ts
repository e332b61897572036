import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FleetError } from '@fleet/errors';
import { type PaymentRules, paymentRulesSchema } from './payment-rules-schema.ts';

/** The rules shipped with the service. */
export const defaultRulesFile = fileURLToPath(new URL('../../rules/payment-rules.json', import.meta.url));

/** PAYMENTS_RULES_FILE when set, else the shipped rules. */
export const rulesFileFrom = (env: NodeJS.ProcessEnv = process.env) =>
  env.PAYMENTS_RULES_FILE || defaultRulesFile;

/** The rules file cannot be used: every problem listed (PAYMENT_RULES_INVALID; payments does not start, exit 78). */
export class PaymentRulesError extends FleetError {
  readonly file: string;
  readonly problems: string[];

  constructor(file: string, problems: string[]) {
    super(
      'PAYMENT_RULES_INVALID',
      `payment rules ${file} are invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.file = file;
    this.problems = problems;
  }
}

/** Reads and validates a rules file; throws PaymentRulesError naming every problem. */
export function loadPaymentRules(file: string): PaymentRules {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PaymentRulesError(file, [`cannot read the file: ${(error as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PaymentRulesError(file, [`not valid JSON: ${(error as Error).message}`]);
  }
  const parsed = paymentRulesSchema.safeParse(json);
  if (!parsed.success) throw new PaymentRulesError(file, describeIssues(parsed.error.issues));
  return parsed.data;
}

type Issue = { path: PropertyKey[]; message: string; code?: string; errors?: Issue[][] };

/**
 * One line per problem. A condition is a union (fact test | all | any | not), and zod reports a bad
 * one as "Invalid input"; the branch that got furthest (deepest path) says what is really wrong.
 */
export function describeIssues(issues: readonly Issue[], prefix: PropertyKey[] = []): string[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors && issue.errors.length > 0) {
      const depth = (branch: Issue[]) => Math.max(...branch.map((i) => i.path.length));
      const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0] ?? [];
      if (best.length > 0) return describeIssues(best, path);
    }
    return [`${path.map(String).join('.') || '(file)'}: ${issue.message}`];
  });
}

import { Engine } from 'json-rules-engine';
import type { DeclineCode, PaymentFacts, PaymentRules } from './payment-rules-schema.ts';

export type PaymentVerdict =
  | { decision: 'authorized'; rule: string }
  | { decision: 'declined'; rule: string; code: DeclineCode };

/** The verdict when no rule fires. */
export const DEFAULT_RULE = 'default';

/**
 * Decides payments with json-rules-engine over the rules data. Deterministic: the facts are the only
 * input, and of the rules that fire the highest priority decides (ties: the earlier in the file),
 * whatever order the engine reports them in.
 */
export class PaymentDecider {
  readonly rules: PaymentRules;
  readonly #engine: Engine;
  readonly #rank: Map<string, number>;

  constructor(rules: PaymentRules) {
    this.rules = rules;
    this.#engine = new Engine([], { allowUndefinedFacts: false });
    this.#engine.addOperator<string, string>(
      'startsWith',
      (factValue, prefix) => typeof factValue === 'string' && factValue.startsWith(prefix),
    );
    for (const rule of rules.rules)
      this.#engine.addRule({
        name: rule.name,
        priority: rule.priority,
        conditions: rule.conditions,
        event: rule.event,
      });
    this.#rank = new Map(rules.rules.map((r, i) => [r.name, i]));
  }

  async decide(facts: PaymentFacts): Promise<PaymentVerdict> {
    const { results } = await this.#engine.run({ ...facts });
    const fired = results
      .map((r) => this.rules.rules[this.#rank.get(r.name) ?? -1])
      .filter((r) => r !== undefined)
      .sort(
        (a, b) => b.priority - a.priority || (this.#rank.get(a.name) ?? 0) - (this.#rank.get(b.name) ?? 0),
      );
    const winner = fired[0];
    if (!winner) return { decision: 'authorized', rule: DEFAULT_RULE };
    return winner.event.type === 'authorize'
      ? { decision: 'authorized', rule: winner.name }
      : { decision: 'declined', rule: winner.name, code: winner.event.params.code };
  }
}

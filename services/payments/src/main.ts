import { runProcessor } from '@fleet/processor';
import { paymentsProcessor } from './processor.ts';
import { loadPaymentRules, PaymentRulesError, rulesFileFrom } from './rules/load-payment-rules.ts';

let rules: ReturnType<typeof loadPaymentRules>;
try {
  rules = loadPaymentRules(rulesFileFrom());
} catch (error) {
  if (!(error instanceof PaymentRulesError)) throw error;
  console.error(`payments: ${error.message}\nSet PAYMENTS_RULES_FILE or fix the file; see README.md.`);
  process.exit(78); // EX_CONFIG, like a bad environment
}
await runProcessor(paymentsProcessor(rules));

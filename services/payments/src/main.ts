import { runProcessor } from '@fleet/processor';
import { paymentsFromEnv } from './processor.ts';
import { PaymentRulesError } from './rules/load-payment-rules.ts';

let payments: ReturnType<typeof paymentsFromEnv>;
try {
  payments = paymentsFromEnv();
} catch (error) {
  if (!(error instanceof PaymentRulesError)) throw error;
  console.error(`payments: ${error.message}\nSet PAYMENTS_RULES_FILE or fix the file; see README.md.`);
  process.exit(error.exitCode); // 78, EX_CONFIG, like a bad environment
}
// HTTP_PORT, else the package.json's fleet.httpPort.
await runProcessor(payments, { packageJson: new URL('../package.json', import.meta.url) });

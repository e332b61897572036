// The ledger processor as a service process, for tests that kill and restart it.
import { runProcessor } from '../src/index.ts';
import { ledgerContracts, ledgerProcessor } from './ledger.ts';

const { LEDGER_ACCOUNTS_TOPIC, LEDGER_NOTICES_TOPIC, LEDGER_NAME } = process.env;
if (!LEDGER_ACCOUNTS_TOPIC || !LEDGER_NOTICES_TOPIC || !LEDGER_NAME)
  throw new Error('LEDGER_ACCOUNTS_TOPIC, LEDGER_NOTICES_TOPIC and LEDGER_NAME are required');
await runProcessor(
  ledgerProcessor(ledgerContracts(LEDGER_ACCOUNTS_TOPIC, LEDGER_NOTICES_TOPIC), LEDGER_NAME),
);

// The ledger processor of packages/processor's tests, named by the environment, so that
// `fleet rebuild --definition` can load it like a service's declaration.
import { ledgerContracts, ledgerProcessor } from '../../processor/test/ledger.ts';

const { LEDGER_ACCOUNTS_TOPIC, LEDGER_NOTICES_TOPIC, LEDGER_NAME } = process.env;
if (!LEDGER_ACCOUNTS_TOPIC || !LEDGER_NOTICES_TOPIC || !LEDGER_NAME)
  throw new Error('LEDGER_ACCOUNTS_TOPIC, LEDGER_NOTICES_TOPIC and LEDGER_NAME are required');
export const ledger = ledgerProcessor(
  ledgerContracts(LEDGER_ACCOUNTS_TOPIC, LEDGER_NOTICES_TOPIC),
  LEDGER_NAME,
);

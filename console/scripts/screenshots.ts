// Regenerates the screenshots of the console README (docs/*.png) from a real run: the test
// ledger processor on the shared broker, registry and PostgreSQL, the console, headless Chromium.
//   pnpm --filter @fleet/console screenshots
import { fileURLToPath } from 'node:url';
import { launchChromium, overviewCell, signIn, watch } from '../src/testing/browser.ts';
import { startLedgerFleet, tokens } from '../src/testing/ledger-fleet.ts';

const docs = (name: string) => fileURLToPath(new URL(`../docs/${name}`, import.meta.url));

// A short name reads better in the pictures; the suffix keeps its group and DLQ topic its own.
const fleet = await startLedgerFleet({ pollMs: 1_000, name: `ledger_${Date.now().toString(36).slice(-5)}` });
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  const address = fleet.console.address;
  await signIn(page, address, tokens.write);
  // Some traffic while paused, so that the chart has lag going up and back down.
  await page.goto(`${address}/#/p/${fleet.name}`);
  await page.locator('#pause').click();
  await page.locator('#pause-outcome').getByText('Paused').waitFor({ timeout: 30_000 });
  await fleet.send(6_000);
  await fleet.sendPoison();
  await new Promise((r) => setTimeout(r, 4_000));
  await page.locator('#resume').click();
  await page.goto(`${address}/#/`);
  await watch(
    () => overviewCell(page, fleet.name, 'lag').textContent(),
    (t) => t === '0',
    {
      timeoutMs: 60_000,
      what: 'lag 0',
    },
  );
  await watch(
    () => overviewCell(page, fleet.name, 'dlq').textContent(),
    (t) => t === '1',
    {
      timeoutMs: 60_000,
      what: 'one dead letter',
    },
  );
  await new Promise((r) => setTimeout(r, 3_000));
  await page.screenshot({ path: docs('overview.png'), fullPage: true });

  await page.goto(`${address}/#/dlq?processor=${fleet.name}`);
  await page.locator('#dlq-table tbody tr').first().getByRole('button', { name: /Show/ }).click();
  await page.locator('#letter-reason').waitFor();
  await page.screenshot({ path: docs('dead-letters.png'), fullPage: true });
  // What the audit page then shows: a redrive, a purge refused for want of the name, a read token's try.
  await page.getByRole('button', { name: 'Redrive this one' }).click();
  await page.locator('#dlq-outcome').getByText('Redriven').waitFor();
  await page.getByRole('button', { name: 'Purge…' }).click();
  await page.getByLabel('Processor name').fill('yes');
  await page.getByRole('button', { name: 'Purge for good' }).click();
  await page.locator('#purge-outcome').getByText('CONFIRMATION_REQUIRED').waitFor();
  await page.keyboard.press('Escape');
  await fetch(`${address}/api/processors/${fleet.name}/pause`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${tokens.read}`,
      'x-fleet-operator': 'bob',
      'content-type': 'application/json',
    },
    body: '{}',
  });

  await page.goto(`${address}/#/p/${fleet.name}`);
  await page.locator('#rebuild-check-button').click();
  await page.locator('#rebuild-check').getByText('Retention kept everything').waitFor();
  await page.locator('#rebuild-start').click();
  await page.locator('#rebuild-progress').waitFor();
  await watch(
    () => page.locator('#rebuild-progress').getAttribute('data-done'),
    (d) => Number(d) > 0,
    { timeoutMs: 60_000, intervalMs: 50, what: 'rebuild progress' },
  );
  await page.locator('#rebuild').screenshot({ path: docs('rebuild.png') });
  await page.locator('#rebuild-result').waitFor({ timeout: 120_000 });
  await new Promise((r) => setTimeout(r, 3_000)); // the live instances report their resume
  await page.screenshot({ path: docs('processor.png'), fullPage: true });

  await page.goto(`${address}/#/audit`);
  await page.locator('#audit-table tbody tr[data-action]').first().waitFor();
  await page.screenshot({ path: docs('audit.png'), fullPage: true });
  console.log(`screenshots written to ${docs('')}`);
} finally {
  await browser.close();
  await fleet.close();
}

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from './audit-log.ts';
import { launchChromium, overviewCell, signIn, watch } from './testing/browser.ts';
import { type LedgerFleet, startLedgerFleet, tokens } from './testing/ledger-fleet.ts';

// The console in a real browser (Debian's headless Chromium through playwright-core) against a
// running processor: the runtime's test ledger with its admin API on the shared broker, registry
// and PostgreSQL. One fleet for the whole file; the steps build on each other.
describe('operator console in a real browser', () => {
  let fleet: LedgerFleet;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  const lagCell = () => overviewCell(page, fleet.name, 'lag');
  const dlqCell = () => overviewCell(page, fleet.name, 'dlq');
  const number = (text: string | null) => Number((text ?? '').replace(/,/g, ''));
  const audit = async () =>
    (await fleet.console.audit.list({ limit: 100, source: 'console' })) as AuditEntry[];

  beforeAll(async () => {
    [fleet, browser] = await Promise.all([startLedgerFleet({ pollMs: 400 }), launchChromium()]);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    // Any script error or CSP violation in the page fails the test at the end.
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 40[139]/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    await signIn(page, fleet.console.address, tokens.write);
  });
  afterAll(async () => {
    await browser?.close();
    await fleet?.close();
  });

  it('shows the fleet live: lag goes up while paused and back to zero after resume, without a reload', async () => {
    await expect.poll(() => lagCell().textContent(), { timeout: 20_000 }).toBe('0');
    await page.getByRole('link', { name: fleet.name, exact: true }).first().click();
    await page.getByRole('heading', { level: 1, name: fleet.name }).waitFor();
    await page.getByRole('button', { name: 'Pause' }).click();
    await page
      .locator('#pause-outcome')
      .getByText('Paused: acknowledged by 1 instance(s)')
      .waitFor({ timeout: 30_000 });

    await fleet.send(4_000);
    await page.getByRole('navigation').getByRole('link', { name: 'Overview' }).click();
    // The overview is not reloaded: the numbers arrive over the event stream.
    const rising = await watch(
      () => lagCell().textContent(),
      (t) => number(t) >= 4_000,
      {
        timeoutMs: 30_000,
        what: 'the lag to reach 4,000 while paused',
      },
    );
    expect(rising.map(number).at(-1)).toBe(4_000);

    await page.getByRole('link', { name: fleet.name, exact: true }).first().click();
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.locator('#pause-outcome').getByText('Resumed').waitFor({ timeout: 30_000 });
    await page.getByRole('navigation').getByRole('link', { name: 'Overview' }).click();
    await watch(
      () => lagCell().textContent(),
      (t) => t === '0',
      { timeoutMs: 60_000, what: 'lag back to 0' },
    );
    // The chart's history holds the rise and the fall.
    const summary = await page.locator('figure.chart').first().textContent();
    expect(summary).toContain('Total lag per processor');
    expect(await page.locator('figure.chart canvas').count()).toBeGreaterThan(0);
    type History = Record<string, { lag: number }[]>;
    const history = await page.evaluate(
      async () => ((await (await fetch('/api/fleet')).json()) as { history: History }).history,
    );
    const lags = (Object.values(history)[0] ?? []).map((s) => s.lag);
    expect(Math.max(...lags)).toBeGreaterThanOrEqual(4_000);
    expect(lags.at(-1)).toBe(0);
  });

  it('shows a poison event in the dead letters, decoded, and redrives it', async () => {
    const poisonId = await fleet.sendPoison();
    await watch(
      () => dlqCell().textContent(),
      (t) => t === '1',
      { timeoutMs: 60_000, what: 'one dead letter' },
    );
    await dlqCell().getByRole('link').click();
    const row = page.locator('#dlq-table tbody tr').filter({ hasText: 'HANDLER_FAILED' });
    await row.waitFor();
    await expect.poll(() => row.count()).toBe(1);
    await row.getByRole('button', { name: /Show/ }).click();
    await expect.poll(() => page.locator('#letter-reason').textContent()).toContain('amount 666 is poison');
    expect(await page.locator('#letter-envelope').textContent()).toContain(poisonId);
    expect(await page.locator('#letter-payload').textContent()).toContain('"amount": 666');
    const headers = await page.locator('#letter-headers').textContent();
    for (const header of ['ce_id', 'ce_type', 'dlq_error_code', 'dlq_source_topic', 'dlq_attempts'])
      expect(headers).toContain(header);

    await page.getByRole('button', { name: 'Redrive this one' }).click();
    await page.locator('#dlq-outcome').getByText('Redriven 1 dead letter(s)').waitFor();
    // Still poison: it comes back, and the list follows by itself.
    await expect.poll(() => page.locator('#dlq-table tbody tr').count(), { timeout: 60_000 }).toBe(2);
    const entries = await audit();
    expect(entries.find((e) => e.action === 'dlq-redrive')).toMatchObject({
      actor: 'alice',
      role: 'write',
      result: 'ok',
      processor: fleet.name,
      arguments: { positions: [expect.objectContaining({ partition: expect.any(Number) })] },
    });
  });

  it('refuses a purge without the typed processor name, purges with it', async () => {
    await page.getByRole('button', { name: 'Purge…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Purge dead letters' });
    await dialog.getByLabel('Processor name').fill('yes');
    await dialog.getByRole('button', { name: 'Purge for good' }).click();
    await dialog.locator('#purge-outcome').getByText('CONFIRMATION_REQUIRED').waitFor();
    // Nothing was deleted, and the same request without the name straight to the API is refused too.
    const direct = await page.evaluate(async (group) => {
      const r = await fetch(`/api/dlq/${group}/purge`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      return { status: r.status, body: await r.json() };
    }, fleet.name);
    expect(direct).toMatchObject({ status: 409, body: { error: { code: 'CONFIRMATION_REQUIRED' } } });
    expect(number(await page.locator('#dlq-table tbody tr').count().then(String))).toBe(2);

    await dialog.getByLabel('Processor name').fill(fleet.name);
    await dialog.getByRole('button', { name: 'Purge for good' }).click();
    await page.locator('#dlq-outcome').getByText('Purged 2 dead letter(s)').waitFor();
    const purges = (await audit()).filter((e) => e.action === 'dlq-purge');
    expect(purges.map((e) => e.result).sort()).toEqual(['ok', 'refused', 'refused']);
  });

  it('rebuilds after the retention check, with the progress bar moving, to the switch; then finalizes', async () => {
    await fleet.send(16_000);
    await page.goto(`${fleet.console.address}/#/`);
    await watch(
      () => lagCell().textContent(),
      (t) => t === '0',
      { timeoutMs: 90_000, what: 'lag 0 before the rebuild' },
    );
    await page.getByRole('link', { name: fleet.name, exact: true }).first().click();
    const rebuild = page.locator('#rebuild');
    await rebuild.getByRole('button', { name: 'Check retention' }).click();
    await rebuild.getByText('Retention kept everything: the rebuild replays 20,00').waitFor();
    await rebuild.getByRole('button', { name: 'Start rebuild' }).click();
    const bar = page.locator('#rebuild-progress');
    const seen = await watch(
      async () => ({
        done: Number(await bar.getAttribute('data-done').catch(() => '0')),
        total: Number(await bar.getAttribute('data-total').catch(() => '0')),
        switched: await page.locator('#rebuild-result').isVisible(),
      }),
      (v) => v.switched,
      { timeoutMs: 120_000, intervalMs: 50, what: 'the rebuild to switch' },
    );
    const moving = seen.filter((v) => v.done > 0 && v.done < v.total);
    expect(moving.length, JSON.stringify(seen)).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#rebuild-result').textContent()).toMatch(/Switched: 20,00\d record\(s\)/);

    await page.getByRole('button', { name: 'Finalize (drop the previous version)' }).click();
    await page.locator('#rebuild-outcome').getByText('Finalized').waitFor();
    await expect
      .poll(async () =>
        (await audit()).filter((e) => e.action.startsWith('rebuild')).map((e) => `${e.action}:${e.result}`),
      )
      .toEqual(['rebuild-finalize:ok', 'rebuild:ok']);
  });

  it('lets a read token see everything and change nothing; every write is listed with who did it', async () => {
    const reader = await context.browser()?.newContext();
    if (!reader) throw new Error('no browser');
    const ro = await reader.newPage();
    try {
      await signIn(ro, fleet.console.address, tokens.read, 'bob');
      await expect.poll(() => overviewCell(ro, fleet.name, 'lag').textContent()).toBe('0');
      await ro.getByRole('link', { name: fleet.name, exact: true }).first().click();
      await ro.getByText('Signed in with a read token').waitFor();
      expect(await ro.getByRole('button', { name: 'Pause' }).isDisabled()).toBe(true);
      expect(await ro.locator('#rebuild').getByRole('button', { name: 'Start rebuild' }).isDisabled()).toBe(
        true,
      );
      // A read token may run the retention check: it changes nothing.
      await ro.locator('#replay').getByRole('button', { name: 'Check retention' }).click();
      await ro.locator('#replay-check').getByText('Retention kept everything').waitFor();

      const attempt = await ro.evaluate(async (group) => {
        const r = await fetch(`/api/processors/${group}/pause`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        return { status: r.status, body: await r.json() };
      }, fleet.name);
      expect(attempt).toMatchObject({ status: 403, body: { error: { code: 'READ_ONLY' } } });
      const snapshot = fleet.console.collector.snapshot?.processors.find((p) => p.groupId === fleet.name);
      expect(snapshot?.counts.paused).toBe(0);

      await ro.getByRole('link', { name: 'Who did what' }).click();
      const table = ro.locator('#audit-table');
      await table
        .locator('tr[data-source="console"][data-action="pause"][data-result="denied"] strong', {
          hasText: 'bob',
        })
        .waitFor();
      for (const action of ['pause', 'resume', 'dlq-redrive', 'dlq-purge', 'rebuild', 'rebuild-finalize'])
        expect(
          await table.locator(`tr[data-source="console"][data-action="${action}"][data-result="ok"]`).count(),
          action,
        ).toBeGreaterThan(0);
      expect(await table.locator('tr[data-result="ok"]').first().textContent()).toContain('alice');
    } finally {
      await reader.close();
    }
    expect(problems).toEqual([]);
  });
});

// Headless Chromium from Debian's `chromium` package, driven by playwright-core (no browser download).
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath))
    throw new Error(
      `no Chromium at ${chromiumPath}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  return chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** Signs in on the console's sign-in form and waits for the live overview. */
export async function signIn(page: Page, address: string, token: string, operator?: string): Promise<void> {
  await page.goto(address);
  await page.getByLabel('Console token').fill(token);
  if (operator) await page.getByLabel('Your name').fill(operator);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Fleet overview' }).waitFor();
}

/** The text of the overview's cell `field` (lag, dlq) in the processor's row. */
export const overviewCell = (page: Page, groupId: string, field: 'lag' | 'dlq') =>
  page.locator(`#processor-table tr[data-group="${groupId}"] td[data-field="${field}"]`);

/** Polls `read` until `until` holds for its value; returns every distinct value seen on the way. */
export async function watch<T>(
  read: () => Promise<T>,
  until: (value: T) => boolean,
  options: { timeoutMs: number; intervalMs?: number; what: string },
): Promise<T[]> {
  const seen: T[] = [];
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await read();
    if (!seen.some((s) => JSON.stringify(s) === JSON.stringify(value))) seen.push(value);
    if (until(value)) return seen;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${options.what}; seen: ${JSON.stringify(seen).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}

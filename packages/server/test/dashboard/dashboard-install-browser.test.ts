import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth } from '../api/api-client.js';
import { skipBrowserTests } from '../browser/support/chromium.js';
import { type DashboardHarness, expectAccessible, goTo, screenshot } from './support/dashboard-browser.js';
import { startOwnerDashboard } from './support/dashboard-seed.js';

/**
 * The Install page in real Chromium, on SQLite: the pasted snippet sends a page view shown live,
 * and replacing the write key refuses the old one.
 */
describe.skipIf(skipBrowserTests)('dashboard in Chromium: the Install page', { timeout: 60_000 }, () => {
  let h: DashboardHarness;
  let owner: Page;
  beforeAll(async () => {
    ({ h, owner } = await startOwnerDashboard());
  });
  afterAll(() => h?.close());

  it('the install page shows a page view of a site with the pasted snippet, live', async () => {
    await owner.getByText('No events yet').waitFor();
    await expectAccessible(owner, 'install (empty)');
    const pasted = await owner.locator('pre').first().textContent();
    expect(pasted).toContain(h.server.writeKey);
    const site = await h.newPage();
    const sale = h.site(
      'www',
      '/sale',
      `<!doctype html><html><head><title>Spring sale</title>${pasted}</head><body><h1>Sale</h1></body></html>`,
    );
    await site.page.goto(sale);
    const live = owner.getByTestId('live-events');
    await live.getByText(sale).waitFor({ timeout: 15_000 });
    await expect(live.getByRole('cell', { name: 'page', exact: true }).count()).resolves.toBeGreaterThan(0);
    await expectAccessible(owner, 'install');
    await screenshot(owner, 'install');
  });

  it('the owner replaces the write key: the snippet shows the new one and the old one is refused', async () => {
    const old = h.server.writeKey;
    await goTo(owner, 'Install');
    expect(await owner.locator('pre').first().textContent()).toContain(old);
    await owner.getByRole('button', { name: 'Replace write key' }).click();
    const dialog = owner.getByRole('dialog', { name: 'Replace the write key?' });
    await dialog.getByText('refused at once').waitFor();
    await expectAccessible(owner, 'replace write key dialog');
    await dialog.getByRole('button', { name: 'Replace write key' }).click();
    await owner.getByRole('alert').filter({ hasText: 'Write key replaced' }).waitFor();
    const pasted = (await owner.locator('pre').first().textContent()) ?? '';
    expect(pasted).not.toContain(old);
    const fresh = /wk_[A-Za-z0-9_-]+/.exec(pasted)?.[0] as string;
    expect(fresh).toBeTruthy();
    const send = (key: string) =>
      fetch(`${h.server.url}/v1/track`, {
        method: 'POST',
        headers: { authorization: basicAuth(key), 'content-type': 'application/json' },
        body: JSON.stringify({ anonymousId: 'anon-key', event: 'key_check' }),
      });
    expect((await send(old)).status).toBe(401);
    expect((await send(fresh)).status).toBe(200);
    await expectAccessible(owner, 'install, key replaced');
    await screenshot(owner, 'write-key-replaced');
  });
});

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth } from '../api/api-client.js';
import { skipBrowserTests } from '../browser/support/chromium.js';
import { postgresUrl } from '../support/test-stores.js';
import { type DashboardHarness, screenshot, startDashboard } from './support/dashboard-browser.js';
import { seedShop } from './support/dashboard-seed.js';
import { OWNER } from './support/session-client.js';

const noPostgres = !postgresUrl && process.env.CI !== 'true';
if (noPostgres) console.warn('skipping the dashboard PostgreSQL smoke test: set TEST_POSTGRES_URL to run it');

/** A smoke test of the dashboard on PostgreSQL: setup, the live install page, Data Settings and users. */
describe.skipIf(skipBrowserTests || noPostgres)('dashboard on PostgreSQL', { timeout: 60_000 }, () => {
  let h: DashboardHarness;
  let page: Page;
  beforeAll(async () => {
    h = await startDashboard('postgres');
    page = (await h.newPage()).page;
  });
  afterAll(() => h?.close());

  it('postgres: set up, see an identify arrive, and find the user', async () => {
    await page.goto(`${h.origin}/setup?token=${h.setupToken}`);
    await page.getByLabel('E-mail').fill(OWNER.email);
    await page.getByLabel(/^Password/).fill(OWNER.password);
    await page.getByRole('button', { name: 'Create owner account' }).click();
    await page.getByText('No events yet').waitFor();
    const sent = await fetch(`${h.server.url}/v1/identify`, {
      method: 'POST',
      headers: { authorization: basicAuth(h.server.writeKey), 'content-type': 'application/json' },
      body: JSON.stringify({ anonymousId: 'anon-pg', userId: 'user-pg', traits: { plan: 'gold' } }),
    });
    expect(sent.status).toBe(200);
    await page.getByTestId('live-events').getByRole('cell', { name: 'user-pg' }).waitFor();
    await page.getByRole('link', { name: 'Data Settings' }).click();
    await page.getByTestId('stat-identified').getByText('1', { exact: true }).waitFor();
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('link', { name: 'user-pg' }).click();
    await page.getByTestId('profile-attributes').getByRole('cell', { name: 'gold' }).waitFor();
    await screenshot(page, 'postgres-profile');
  });

  it('postgres: a group built with the builder counts its users, and a report draws its chart', async () => {
    await seedShop(h);
    await page.getByRole('link', { name: 'Groups' }).click();
    await page.getByRole('link', { name: 'New group' }).click();
    await page.getByLabel('Group name').fill('Gold');
    await page.getByRole('button', { name: 'Add condition' }).click();
    await page.getByRole('textbox', { name: 'Attribute', exact: true }).click();
    await page.getByRole('option', { name: 'plan', exact: true }).click();
    await page.getByRole('textbox', { name: 'Value' }).fill('gold');
    // user-pg (gold, from the first test), user-1 and user-2.
    await page.getByTestId('live-count').getByText('3 users match now').waitFor();
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.getByTestId('group-users').getByText('3', { exact: true }).waitFor();
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('textbox', { name: 'Attribute', exact: true }).click();
    await page.getByRole('option', { name: 'plan', exact: true }).click();
    await page.getByRole('button', { name: 'Show report' }).click();
    await page.getByTestId('breakdown-chart').locator('.recharts-bar-rectangle').first().waitFor();
    await page
      .getByRole('table', { name: 'Breakdown' })
      .getByRole('row', { name: 'silver 1 100.0%' })
      .waitFor();
    await screenshot(page, 'postgres-report');
  });
});

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth } from '../api/api-client.js';
import { skipBrowserTests } from '../browser/support/chromium.js';
import {
  type DashboardHarness,
  expectAccessible,
  screenshot,
  startDashboard,
} from './support/dashboard-browser.js';
import { seedShop, setUpOwnerInPage } from './support/dashboard-seed.js';

/** Groups, experiences and reports in real Chromium on SQLite, over a small seeded shop. */
describe.skipIf(skipBrowserTests)('dashboard groups, experiences and reports', { timeout: 90_000 }, () => {
  let h: DashboardHarness;
  let page: Page;
  beforeAll(async () => {
    h = await startDashboard('sqlite');
    page = (await h.newPage()).page;
    await setUpOwnerInPage(h, page);
    await seedShop(h);
  });
  afterAll(() => h?.close());

  const go = async (label: string) => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: label }).click();
    await page.getByRole('heading', { level: 1, name: label }).waitFor();
  };
  const segment = (label: string) =>
    page
      .locator('.mantine-SegmentedControl-label')
      .filter({ hasText: new RegExp(`^${label}$`) })
      .click();
  const choose = async (label: string, option: string, nth = 0) => {
    await page.getByRole('textbox', { name: label, exact: true }).nth(nth).click();
    await page.getByRole('option', { name: option, exact: true }).click();
  };

  it('builds a group with the builder, sees its live count, saves it and pages its members', async () => {
    await go('Groups');
    await page.getByText('No groups yet').waitFor();
    await expectAccessible(page, 'groups (empty)');
    await page.getByRole('link', { name: 'New group' }).click();
    await page.getByRole('heading', { level: 1, name: 'New group' }).waitFor();
    await page.getByLabel('Group name').fill('Gold buyers');
    const count = page.getByTestId('live-count');
    await count.getByText('3 users match now').waitFor();

    await page.getByRole('button', { name: 'Add condition' }).click();
    await choose('Attribute', 'plan');
    await page.getByRole('textbox', { name: 'Value' }).fill('gold');
    await count.getByText('2 users match now').waitFor();

    // A nested "any of": bought twice in 30 days, or is over 50.
    await page.getByRole('button', { name: 'Add nested group' }).click();
    const nested = page.getByTestId('condition-node-1');
    await nested.getByRole('button', { name: 'Add condition' }).click();
    await nested.getByRole('textbox', { name: 'Condition kind' }).click();
    await page.getByRole('option', { name: 'Did event', exact: true }).click();
    await nested.getByRole('textbox', { name: 'Event name' }).fill('purchase');
    await nested.getByRole('textbox', { name: 'Times' }).fill('2');
    await count.getByText('1 users match now').waitFor();
    await nested.getByRole('button', { name: 'Add condition' }).click();
    await nested.getByRole('textbox', { name: 'Attribute' }).click();
    await page.getByRole('option', { name: 'age', exact: true }).click();
    await nested.getByRole('textbox', { name: 'Operator' }).nth(0).click();
    await page.getByRole('option', { name: '≥', exact: true }).click();
    await nested.getByRole('textbox', { name: 'Value' }).fill('50');
    await count.getByText('2 users match now').waitFor();

    // A bad regex is refused by the server, naming where.
    await page.getByRole('button', { name: 'Add condition' }).last().click();
    const last = page.getByTestId('condition-leaf').last();
    await last.getByRole('textbox', { name: 'Attribute' }).click();
    await page.getByRole('option', { name: 'plan', exact: true }).click();
    await last.getByRole('textbox', { name: 'Operator' }).click();
    await page.getByRole('option', { name: 'matches regex', exact: true }).click();
    await last.getByRole('textbox', { name: 'Value' }).fill('(');
    await count
      .getByRole('alert')
      .getByText(/\/condition\/all\/2/)
      .waitFor();
    await page.getByRole('button', { name: 'Remove condition' }).last().click();
    await count.getByText('2 users match now').waitFor();
    await expectAccessible(page, 'group builder');
    await screenshot(page, 'group-builder');

    await page.getByRole('button', { name: 'Create group' }).click();
    await page.getByRole('heading', { level: 1, name: 'Gold buyers' }).waitFor();
    await page.getByTestId('group-users').getByText('2', { exact: true }).waitFor();
    await page.getByTestId('group-active').getByText('2', { exact: true }).waitFor();
    const members = page.getByRole('table', { name: 'Members' });
    await members.getByRole('link', { name: 'user-1' }).waitFor();
    await members.getByRole('link', { name: 'user-2' }).waitFor();
    await expectAccessible(page, 'group');
    await screenshot(page, 'group');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/members\.csv$/);

    await go('Groups');
    const row = page.getByRole('table', { name: 'Groups' }).getByRole('row', { name: /Gold buyers/ });
    await row.getByRole('cell', { name: '2' }).first().waitFor();
    await expectAccessible(page, 'groups');
    await screenshot(page, 'groups');
  });

  it('makes a static group from pasted ids and one from a template', async () => {
    await go('Groups');
    await page.getByRole('link', { name: 'New group' }).click();
    await page.getByText('Static (a list of users)').click();
    await page.getByLabel('Group name').fill('VIP list');
    await page.getByRole('textbox', { name: 'User ids' }).fill('user-3\nuser-404');
    await page.getByRole('button', { name: 'Create static group' }).click();
    await page.getByRole('heading', { level: 1, name: 'VIP list' }).waitFor();
    await page.getByTestId('group-users').getByText('1', { exact: true }).waitFor();
    await page.getByTestId('group-pending').getByText('1', { exact: true }).waitFor();

    await go('Groups');
    await page.getByRole('button', { name: 'Use template Known users' }).click();
    await page.getByTestId('live-count').getByText('3 users match now').waitFor();
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.getByRole('heading', { level: 1, name: 'Known users' }).waitFor();
  });

  it('creates an experience for the group, tests a URL, publishes it, and reads its report with the lift', async () => {
    await go('Experiences');
    await page.getByText('No experiences yet').waitFor();
    await page.getByRole('link', { name: 'New experience' }).click();
    await page.getByRole('heading', { level: 1, name: 'New experience' }).waitFor();
    await page.getByLabel('Experience name').fill('Gold banner');
    await page.getByLabel('HTML').fill('<b>Hello {{plan}} member</b>');
    await page
      .frameLocator('iframe[title="Preview of variant A"]')
      .getByText('Hello {{plan}} member')
      .waitFor();
    await page.getByLabel('Control (percent of targeted visitors who see nothing)').fill('50');

    await segment('Pages matching rules');
    await page.getByRole('textbox', { name: 'URL value' }).fill('/sale');
    await page.getByLabel('Test a URL').fill('https://shop.test/sale?x=1');
    await page.getByRole('button', { name: 'Check URL' }).click();
    await page.getByTestId('url-check').getByText('Matches').waitFor();
    await page.getByLabel('Test a URL').fill('https://shop.test/cart');
    await page.getByRole('button', { name: 'Check URL' }).click();
    await page.getByTestId('url-check').getByText('No match').waitFor();

    await segment('Groups');
    await page.getByRole('textbox', { name: 'Members of any of these groups' }).click();
    await page.getByRole('option', { name: 'Gold buyers' }).click();
    await page.keyboard.press('Escape');
    await segment('An event');
    await page.getByLabel('Goal event').fill('purchase');
    await expectAccessible(page, 'experience editor');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.getByRole('heading', { level: 1, name: 'Gold banner' }).waitFor();
    await page.getByText('draft', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('published', { exact: true }).waitFor();

    await page.getByLabel('Preview on a page of your site').fill('https://shop.test/sale');
    await page.getByRole('button', { name: 'Make preview link' }).click();
    await expect(page.getByTestId('preview-link').textContent()).resolves.toContain('acquaint_preview=');

    // Visitors see it (decide), and their impressions and purchases make the report.
    const id = new URL(page.url()).pathname.split('/').pop() as string;
    const decided = await fetch(`${h.server.url}/v1/decide`, {
      method: 'POST',
      headers: { authorization: basicAuth(h.server.writeKey), 'content-type': 'application/json' },
      body: JSON.stringify({ anonymousId: 'anon-phone', userId: 'user-1', url: 'https://shop.test/sale' }),
    });
    expect(
      ((await decided.json()) as { experiences: { id: string }[] }).experiences.map((e) => e.id),
    ).toContain(id);
    const later = (seconds: number) => new Date(Date.now() + seconds * 1000 - 60_000).toISOString();
    const shown = (user: string, variant: string) => ({
      type: 'track',
      userId: user,
      event: '$experience_impression',
      properties: { experience_id: id, variant },
      timestamp: later(0),
    });
    const bought = (user: string) => ({
      type: 'track',
      userId: user,
      event: 'purchase',
      timestamp: later(5),
    });
    await sendBatch([
      shown('user-1', 'A'),
      shown('user-3', 'A'),
      shown('user-2', 'control'),
      bought('user-1'),
      bought('user-2'),
    ]);
    await page.reload();
    await page.getByTestId('experience-chart').waitFor();
    const results = page.getByRole('table', { name: 'Results by variant' });
    // A: 1 of 2 converted; control: 1 of 1; the lift is −50% with its interval.
    await results.getByRole('row', { name: /^A 2 2 0 0 1 50\.0% -50\.0%/ }).waitFor();
    await results.getByRole('row', { name: /^control 1 1 0 0 1 100\.0%/ }).waitFor();
    await expectAccessible(page, 'experience');
    await screenshot(page, 'experience');
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByText('paused', { exact: true }).waitFor();
    const paused = await fetch(`${h.server.url}/v1/decide`, {
      method: 'POST',
      headers: { authorization: basicAuth(h.server.writeKey), 'content-type': 'application/json' },
      body: JSON.stringify({ anonymousId: 'anon-phone', userId: 'user-1', url: 'https://shop.test/sale' }),
    });
    expect(((await paused.json()) as { experiences: unknown[] }).experiences).toEqual([]);

    // The group it targets cannot be deleted; the page says why.
    await go('Groups');
    await page.getByRole('link', { name: 'Gold buyers' }).click();
    await page.getByRole('button', { name: 'Delete group' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page
      .getByRole('dialog')
      .getByRole('alert')
      .getByText(/used by experience "Gold banner"/)
      .waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

    await go('Experiences');
    await page.getByRole('table', { name: 'Experiences' }).getByText('paused').waitFor();
    await expectAccessible(page, 'experiences');
    await screenshot(page, 'experiences');
  });

  it('shows a behaviour report: conversion rate by plan with its chart, by device type, and cross-device', async () => {
    await go('Reports');
    await choose('Attribute', 'plan');
    await page.getByRole('button', { name: 'Show report' }).click();
    await page.getByTestId('breakdown-chart').locator('.recharts-bar-rectangle').first().waitFor();
    const table = page.getByRole('table', { name: 'Breakdown' });
    // gold: user-1 and user-2 both bought (user-2 in the experience test); silver: user-3 bought.
    await table.getByRole('row', { name: 'gold 2 100.0%' }).waitFor();
    await table.getByRole('row', { name: 'silver 1 100.0%' }).waitFor();
    await expectAccessible(page, 'reports');
    await screenshot(page, 'reports');

    await choose('Break down by', 'Device type');
    await page.getByRole('textbox', { name: 'Metric' }).click();
    await page.getByRole('option', { name: 'Visitors', exact: true }).click();
    await page.getByRole('button', { name: 'Show report' }).click();
    await table.getByRole('row', { name: /^mobile 2 2$/ }).waitFor();

    await page.getByLabel('Before the event (optional)').fill('purchase');
    await page.getByRole('button', { name: 'Show cross-device report' }).click();
    const numbers = page.getByTestId('cross-device-numbers');
    await numbers.getByText('On 2 or more devices').waitFor();
    await page
      .getByRole('table', { name: 'Device paths' })
      .getByRole('cell', { name: /mobile → desktop/ })
      .waitFor();
    await expectAccessible(page, 'cross-device report');
  });

  it('filters the users by a condition, and a profile shows its groups and the experiences seen', async () => {
    await go('Users');
    const users = page.getByRole('table', { name: 'Users' });
    await users.getByRole('link', { name: 'user-3' }).waitFor();
    await page.getByRole('button', { name: 'Filter by condition' }).click();
    await page.getByRole('button', { name: 'Add condition' }).click();
    await choose('Attribute', 'plan');
    await page.getByRole('textbox', { name: 'Value' }).fill('gold');
    await page.getByTestId('live-count').getByText('2 users match now').waitFor();
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await users.getByRole('link', { name: 'user-3' }).waitFor({ state: 'detached' });
    await users.getByRole('link', { name: 'user-2' }).waitFor();
    expect(await users.getByRole('row').count()).toBe(3);
    await expectAccessible(page, 'users filtered');
    await screenshot(page, 'users-filtered');

    await users.getByRole('link', { name: 'user-1' }).click();
    await page.getByRole('heading', { level: 1, name: 'user-1' }).waitFor();
    const groups = page.getByTestId('profile-groups');
    await groups.getByRole('link', { name: 'Gold buyers' }).waitFor();
    await groups.getByRole('link', { name: 'Known users' }).waitFor();
    expect(await groups.getByRole('link', { name: 'VIP list' }).count()).toBe(0);
    await page.getByTestId('profile-experiences').getByRole('link', { name: 'Gold banner' }).waitFor();
    await expectAccessible(page, 'profile with groups');
  });

  async function sendBatch(batch: Record<string, unknown>[]) {
    const answer = await fetch(`${h.server.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: basicAuth(h.server.writeKey), 'content-type': 'application/json' },
      body: JSON.stringify({ batch }),
    });
    expect(answer.status).toBe(200);
    await h.server.settled();
  }
});

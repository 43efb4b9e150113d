import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  const choose = async (label: string, option: string, nth = 0) => {
    await page.getByRole('textbox', { name: label }).nth(nth).click();
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
});

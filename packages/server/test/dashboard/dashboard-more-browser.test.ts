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

/** How many groups a dashboard group picker asks for at once (`PICKER_PAGE` in group-picker.tsx). */
const PICKER_PAGE = 20;

/**
 * The dashboard paths the first browser tests left out: NOT / visit / in-group leaves, static
 * groups from a CSV and from an import, the experience schedule, frequency and variants, the
 * user sort and merge, and sign-out. Real Chromium on SQLite over the small seeded shop.
 */
describe.skipIf(skipBrowserTests)('dashboard: more paths clicked through', { timeout: 90_000 }, () => {
  let h: DashboardHarness;
  let page: Page;
  let vipGroup: string;
  beforeAll(async () => {
    h = await startDashboard('sqlite');
    page = (await h.newPage()).page;
    await setUpOwnerInPage(h, page);
    await seedShop(h);
    vipGroup = (
      (await callApi('POST', '/api/groups', { name: 'VIPs', user_ids: ['user-1'] })) as { id: string }
    ).id;
  });
  afterAll(() => h?.close());

  async function callApi(method: string, path: string, body?: unknown, contentType = 'application/json') {
    const answer = await fetch(`${h.server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${h.server.apiKey}`,
        ...(body === undefined ? {} : { 'content-type': contentType }),
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await answer.text();
    expect(answer.status, `${method} ${path}: ${text}`).toBeLessThan(300);
    return JSON.parse(text) as unknown;
  }
  const go = async (label: string) => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: label }).click();
    await page.getByRole('heading', { level: 1, name: label }).waitFor();
  };
  const pick = async (scope: Page | ReturnType<Page['locator']>, label: string, option: string) => {
    await scope.getByRole('textbox', { name: label, exact: true }).last().click();
    await page.getByRole('option', { name: option, exact: true }).click();
  };

  it('builds "none of: in group, any of: a visit on a phone"; the live count is the API count', async () => {
    const previews: unknown[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/api/groups/preview') && request.method() === 'POST')
        previews.push((request.postDataJSON() as { condition: unknown }).condition);
    });
    await go('Groups');
    await page.getByRole('link', { name: 'New group' }).click();
    await page.getByRole('heading', { level: 1, name: 'New group' }).waitFor();
    await page.getByLabel('Group name').fill('Not VIPs, not on a phone');
    const count = page.getByTestId('live-count');
    await count.getByText('3 users match now').waitFor();

    await pick(page, 'Match', 'none of');
    await page.getByRole('button', { name: 'Add condition' }).click();
    await pick(page, 'Condition kind', 'In group');
    await pick(page, 'Group', 'VIPs');
    // Everyone but user-1.
    await count.getByText('2 users match now').waitFor();

    await page.getByRole('button', { name: 'Add nested group' }).click();
    const nested = page.getByTestId('condition-node-1');
    await nested.getByRole('button', { name: 'Add condition' }).click();
    await pick(nested, 'Condition kind', 'Current visit');
    await expect(nested.getByRole('textbox', { name: 'Value' }).inputValue()).resolves.toBe('mobile');
    const expected = {
      not: {
        any: [{ in_group: vipGroup }, { any: [{ visit: 'device_type', op: 'eq', value: 'mobile' }] }],
      },
    };
    // user-3 visited on a phone; user-2 only on a laptop.
    await count.getByText('1 users match now').waitFor();
    expect(previews.at(-1)).toEqual(expected);
    const api = (await callApi('POST', '/api/groups/preview', { condition: expected })) as { users: number };
    expect(api.users).toBe(1);
    await expectAccessible(page, 'builder with none-of, in-group and visit');
    await screenshot(page, 'group-builder-not-visit');

    await page.getByRole('button', { name: 'Create group' }).click();
    await page.getByRole('heading', { level: 1, name: 'Not VIPs, not on a phone' }).waitFor();
    const members = page.getByRole('table', { name: 'Members' });
    await members.getByRole('link', { name: 'user-2' }).waitFor();
    const id = new URL(page.url()).pathname.split('/').pop() as string;
    const saved = (await callApi('GET', `/api/groups/${id}`)) as { condition: unknown; users: number };
    expect(saved.condition).toEqual(expected);
  });

  it('makes a static group from a CSV file and one from the users of an import job', async () => {
    await go('Groups');
    await page.getByRole('link', { name: 'New group' }).click();
    await page.getByText('Static (a list of users)').click();
    await page.getByLabel('Group name').fill('From a file');
    await page.getByRole('tab', { name: 'CSV file' }).click();
    await page.locator('input[type="file"]').setInputFiles({
      name: 'vips.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('user_id\nuser-2\nuser-3\nuser-404\n'),
    });
    await page.getByRole('button', { name: 'Create static group' }).click();
    await page.getByRole('heading', { level: 1, name: 'From a file' }).waitFor();
    await page.getByTestId('group-users').getByText('2', { exact: true }).waitFor();
    await page.getByTestId('group-pending').getByText('1', { exact: true }).waitFor();
    await screenshot(page, 'group-static-csv');

    const job = (await callApi(
      'POST',
      '/api/imports?file_name=members.csv',
      'member_id,plan\nuser-1,gold\nuser-3,silver\n',
      'text/csv',
    )) as { id: string; status: string };
    expect(job.status).toBe('completed');
    await go('Groups');
    await page.getByRole('link', { name: 'New group' }).click();
    await page.getByText('Static (a list of users)').click();
    await page.getByLabel('Group name').fill('From an import');
    await page.getByRole('tab', { name: 'Users of an import' }).click();
    await pick(page, 'Import', 'members.csv (completed)');
    await expectAccessible(page, 'static group from an import');
    await page.getByRole('button', { name: 'Create static group' }).click();
    await page.getByRole('heading', { level: 1, name: 'From an import' }).waitFor();
    await page.getByTestId('group-users').getByText('2', { exact: true }).waitFor();
    const members = page.getByRole('table', { name: 'Members' });
    await members.getByRole('link', { name: 'user-1' }).waitFor();
    await members.getByRole('link', { name: 'user-3' }).waitFor();
    await screenshot(page, 'group-static-import');
  });

  it('saves an experience with a schedule, a frequency, two variants and a control split', async () => {
    await go('Experiences');
    await page.getByRole('link', { name: 'New experience' }).click();
    await page.getByRole('heading', { level: 1, name: 'New experience' }).waitFor();
    await page.getByLabel('Experience name').fill('Split banner');
    await page.getByLabel('HTML').fill('<b>A</b>');
    await page.getByRole('button', { name: 'Add variant' }).click();
    await page.getByLabel('HTML').nth(1).fill('<i>B</i>');
    await page.getByLabel('Weight (%)').nth(0).fill('60');
    await page.getByLabel('Weight (%)').nth(1).fill('40');
    await page.getByText('Variant weights add up to 100%').waitFor();
    await page.getByLabel('Control (percent of targeted visitors who see nothing)').fill('20');
    await pick(page, 'Frequency', 'Once per user');
    await page.getByLabel('Starts').fill('2026-12-24T08:00');
    await page.getByLabel('Ends').fill('2026-12-31T20:30');
    await expectAccessible(page, 'experience editor with two variants');
    await screenshot(page, 'experience-editor-variants');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.getByRole('heading', { level: 1, name: 'Split banner' }).waitFor();

    const id = new URL(page.url()).pathname.split('/').pop() as string;
    const saved = (await callApi('GET', `/api/experiences/${id}`)) as Record<string, unknown>;
    expect(saved).toMatchObject({
      status: 'draft',
      frequency: 'once_per_user',
      control_weight: 20,
      starts_at: new Date('2026-12-24T08:00').toISOString(),
      ends_at: new Date('2026-12-31T20:30').toISOString(),
      variants: [
        { name: 'A', weight: 60, content: { html: '<b>A</b>' } },
        { name: 'B', weight: 40, content: { html: '<i>B</i>' } },
      ],
    });
    // Read back into the editor after a reload.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Split banner' }).waitFor();
    await expect(page.getByRole('textbox', { name: 'Frequency' }).inputValue()).resolves.toBe(
      'Once per user',
    );
    await expect(page.getByLabel('Weight (%)').nth(1).inputValue()).resolves.toBe('40');
    await expect(page.getByLabel('Starts').inputValue()).resolves.toBe('2026-12-24T08:00');
    await expect(
      page.getByLabel('Control (percent of targeted visitors who see nothing)').inputValue(),
    ).resolves.toBe('20');
  });

  it('changes the user sort to match the API order, and merges an anonymous visitor into a user', async () => {
    const answer = await fetch(`${h.server.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: basicAuth(h.server.writeKey), 'content-type': 'application/json' },
      body: JSON.stringify({
        batch: [{ type: 'page', anonymousId: 'anon-guest', properties: { url: 'https://shop.test/' } }],
      }),
    });
    expect(answer.status).toBe(200);
    await h.server.settled();
    await go('Users');
    const users = page.getByRole('table', { name: 'Users' });
    const firstLink = () => users.getByRole('row').nth(1).getByRole('link').textContent();
    const order = async (sort: string, direction: string) =>
      (
        (await callApi('GET', `/api/persons?sort=${sort}&order=${direction}&limit=50`)) as {
          persons: { person_id: number; user_id: string | null }[];
        }
      ).persons;
    const byFirstSeen = await order('first_seen', 'asc');
    const byLastSeen = await order('last_seen', 'desc');
    expect(byFirstSeen[0].user_id).not.toBe(byLastSeen[0].user_id);
    const label = (p: { person_id: number; user_id: string | null }) =>
      p.user_id ?? `anonymous #${p.person_id}`;
    await expect.poll(firstLink).toBe(label(byLastSeen[0]));
    await pick(page, 'Sort', 'First seen, oldest first');
    await expect.poll(firstLink).toBe(label(byFirstSeen[0]));
    const shown = await users.getByRole('row').locator('a').allTextContents();
    expect(shown).toEqual(byFirstSeen.map(label));
    await screenshot(page, 'users-sorted');

    const guest = byFirstSeen.find((p) => p.user_id === null) as { person_id: number };
    const user2 = byFirstSeen.find((p) => p.user_id === 'user-2') as { person_id: number };
    await users.getByRole('link', { name: 'user-3' }).click();
    await page.getByRole('heading', { level: 1, name: 'user-3' }).waitFor();
    await page.getByRole('button', { name: 'Merge another person in…' }).click();
    const dialog = page.getByRole('dialog');
    // Two identified users are never merged: the page says so.
    await dialog.getByLabel('Person id to merge into this one').fill(String(user2.person_id));
    await dialog.getByRole('button', { name: 'Merge' }).click();
    await dialog.getByRole('alert').waitFor();
    await dialog.getByLabel('Person id to merge into this one').fill(String(guest.person_id));
    await dialog.getByRole('button', { name: 'Merge' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('table', { name: 'Devices' }).getByRole('cell', { name: 'anon-guest' }).waitFor();
    await expectAccessible(page, 'profile after merge');
    await screenshot(page, 'profile-merged');
    const gone = await fetch(`${h.server.url}/api/persons/${guest.person_id}`, {
      headers: { authorization: `Bearer ${h.server.apiKey}` },
    });
    expect(gone.status).toBe(404);
  });

  it('group pickers search the groups on the server, a page at a time', async () => {
    for (let i = 1; i <= PICKER_PAGE + 5; i += 1)
      await callApi('POST', '/api/groups', {
        name: `Zone ${String(i).padStart(2, '0')}`,
        user_ids: ['nobody'],
      });
    const found = (await callApi('GET', '/api/groups?limit=2&q=ZONE%202')) as {
      groups: { name: string }[];
      next_cursor: string | null;
    };
    expect(found.groups.map((g) => g.name)).toEqual(['Zone 20', 'Zone 21']);
    const rest = (await callApi(
      'GET',
      `/api/groups?limit=5&q=zone%202&cursor=${encodeURIComponent(found.next_cursor as string)}`,
    )) as { groups: { name: string }[]; next_cursor: string | null };
    expect(rest.groups.map((g) => g.name)).toEqual(['Zone 22', 'Zone 23', 'Zone 24', 'Zone 25']);
    expect(rest.next_cursor).toBeNull();
    const all = (await callApi('GET', '/api/groups?q=zone%2025')) as { groups: { name: string }[] };
    expect(all.groups.map((g) => g.name)).toEqual(['Zone 25']);

    const asked: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/api/groups') asked.push(url.search);
    });
    await go('Experiences');
    await page.getByRole('link', { name: 'New experience' }).click();
    await page.getByLabel('Experience name').fill('Zone banner');
    await page.getByLabel('HTML').fill('<b>Zone</b>');
    await page
      .locator('.mantine-SegmentedControl-label')
      .filter({ hasText: /^Groups$/ })
      .click();
    const picker = page.getByRole('textbox', { name: 'Members of any of these groups' });
    await page.getByText(`Showing the first ${PICKER_PAGE} groups by name`).waitFor();
    expect(asked.every((search) => search.includes(`limit=${PICKER_PAGE}`))).toBe(true);
    await picker.click();
    await page.getByRole('option', { name: 'Zone 01', exact: true }).waitFor();
    // "Zone 25" sorts after the first page: only a server search finds it.
    expect(await page.getByRole('option', { name: 'Zone 25' }).count()).toBe(0);
    await picker.fill('zone 25');
    await page.getByRole('option', { name: 'Zone 25', exact: true }).click();
    expect(asked.some((search) => search.includes('q=zone%2025'))).toBe(true);
    await page.keyboard.press('Escape');
    await expectAccessible(page, 'experience target with the group picker');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.getByRole('heading', { level: 1, name: 'Zone banner' }).waitFor();
    const id = new URL(page.url()).pathname.split('/').pop() as string;
    const saved = (await callApi('GET', `/api/experiences/${id}`)) as { target: { groups: string[] } };
    const zone25 = (all.groups[0] as unknown as { id: string }).id;
    expect(saved.target.groups).toEqual([zone25]);
    // After a reload the chosen group, not on the first page, still shows its name.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Zone banner' }).waitFor();
    await page.getByText('Zone 25', { exact: true }).first().waitFor();
  });

  it('signs out: the sign-in page shows and the old session cookie no longer works', async () => {
    const cookies = await page.context().cookies();
    const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const before = await fetch(`${h.server.url}/api/session`, { headers: { cookie } });
    expect(before.status).toBe(200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await screenshot(page, 'signed-out');
    const after = await fetch(`${h.server.url}/api/session`, { headers: { cookie } });
    expect(after.status).toBe(401);
    await page.goto(`${h.origin}/users`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.getByRole('heading', { level: 1, name: 'Users' }).count()).toBe(0);
  });
});

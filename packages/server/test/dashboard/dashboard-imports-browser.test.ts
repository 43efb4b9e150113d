import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipBrowserTests } from '../browser/support/chromium.js';
import {
  type DashboardHarness,
  expectAccessible,
  goTo,
  screenshot,
  track,
} from './support/dashboard-browser.js';
import { seedIdentifiedVisitor, startOwnerDashboard } from './support/dashboard-seed.js';

const XSS = '<img src=x onerror="window.__pwned=1">';

/**
 * The Imports and Users pages in real Chromium, on SQLite: a CSV file imported with an error row,
 * hostile values shown as text, lists paged by cursor, and a person exported, deleted and split.
 */
describe.skipIf(skipBrowserTests)(
  'dashboard in Chromium: the Imports and Users pages',
  { timeout: 60_000 },
  () => {
    let h: DashboardHarness;
    let owner: Page;
    beforeAll(async () => {
      ({ h, owner } = await startOwnerDashboard());
      await seedIdentifiedVisitor(h);
    });
    afterAll(() => h?.close());

    /** Opens a profile by its address (the person may be on any page of the list). */
    const openProfile = async (userId: string) => {
      const person = (await fetch(`${h.server.url}/api/users/${userId}`, {
        headers: { authorization: `Bearer ${h.server.apiKey}` },
      }).then((r) => r.json())) as { person_id: number };
      await owner.goto(`${h.origin}/users/${person.person_id}`);
      await owner.getByRole('heading', { level: 1, name: userId }).waitFor();
    };

    it('a CSV upload shows a preview, imports, and reports its error row with a file to download', async () => {
      await goTo(owner, 'Imports');
      await owner.getByText('No imports yet').waitFor();
      const csv = `member_id,plan,nickname\nuser-7,diamond,"${XSS.replace(/"/g, '""')}"\nuser-8,gold\nuser-9,silver,ok\n`;
      const dataTransfer = await owner.evaluateHandle((text) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([text], 'members.csv', { type: 'text/csv' }));
        return transfer;
      }, csv);
      await owner.getByTestId('csv-drop').dispatchEvent('drop', { dataTransfer });
      await owner.getByRole('table', { name: 'Preview of the file' }).getByText('diamond').waitFor();
      // A dry run first: it checks the file and writes nothing.
      const dryRun = owner.getByText('Dry run (only check the file, write nothing)');
      await dryRun.click();
      await owner.getByRole('button', { name: 'Check file' }).click();
      await owner
        .getByTestId('import-result')
        .getByText(/Dry run completed: 3 rows read/)
        .waitFor();
      const notYet = await fetch(`${h.server.url}/api/users/user-7`, {
        headers: { authorization: `Bearer ${h.server.apiKey}` },
      });
      expect(notYet.status).toBe(404);
      await dryRun.click();
      await owner.getByRole('button', { name: 'Import', exact: true }).click();
      const result = owner.getByTestId('import-result');
      await result.getByText(/completed: 3 rows read, 2 created, 0 updated, 0 unchanged, 1 failed/).waitFor();
      await result.getByRole('cell', { name: 'user-8' }).waitFor();
      await expectAccessible(owner, 'imports');
      await screenshot(owner, 'imports');
      const [download] = await Promise.all([
        owner.waitForEvent('download'),
        result.getByRole('button', { name: /Download all 1 errors/ }).click(),
      ]);
      const errors = await streamText(await download.createReadStream());
      expect(errors.split('\n')[0]).toContain('row');
      expect(errors).toContain('user-8');
      const history = owner.getByRole('table', { name: 'Import history' });
      await expect.poll(() => history.getByText('members.csv').count()).toBe(2);
      await history.getByText('(dry run)').waitFor();

      // A file too wide to import: the API's 413 is said in the page, naming the limit.
      const wide = `${['member_id', ...Array.from({ length: 201 }, (_, i) => `c${i}`)].join(',')}\nuser-w,${'x,'.repeat(200)}x\n`;
      const wideTransfer = await owner.evaluateHandle((text) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([text], 'wide.csv', { type: 'text/csv' }));
        return transfer;
      }, wide);
      await owner.getByTestId('csv-drop').dispatchEvent('drop', { dataTransfer: wideTransfer });
      await owner.getByText('wide.csv', { exact: false }).first().waitFor();
      const refused = owner.waitForResponse(
        (r) => r.url().endsWith('/file') && r.request().method() === 'PUT',
      );
      await owner.getByRole('button', { name: 'Import', exact: true }).click();
      expect((await refused).status()).toBe(413);
      await owner
        .getByRole('alert')
        .getByText(/over the limit of 200 fields/)
        .first()
        .waitFor();
      await expectAccessible(owner, 'imports, file refused');
      await screenshot(owner, 'import-too-wide');
    });

    it('an imported <img onerror> value is shown as text on the users list and the profile', async () => {
      await goTo(owner, 'Users');
      await owner.getByPlaceholder('add columns').click();
      await owner.getByRole('option', { name: 'nickname' }).click();
      await owner.keyboard.press('Escape');
      await owner.getByRole('table', { name: 'Users' }).getByText(XSS).waitFor();
      await expectAccessible(owner, 'users');
      await screenshot(owner, 'users');
      await owner.getByRole('link', { name: 'user-7' }).click();
      await owner.getByRole('heading', { level: 1, name: 'user-7' }).waitFor();
      const cell = owner.getByTestId('profile-attributes').getByText(XSS);
      await cell.waitFor();
      expect(await owner.locator('img[src="x"]').count()).toBe(0);
      expect(await owner.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      await owner.getByTestId('profile-attributes').getByRole('cell', { name: 'import' }).first().waitFor();
      await expectAccessible(owner, 'profile');
      await screenshot(owner, 'profile');
    });

    it('lists page by cursor: the users list and the import history show 50 rows and a next page', async () => {
      // 55 imported users, each in its own bulk upload, so the history also has more than a page.
      for (let n = 0; n < 55; n++) {
        const answer = await fetch(`${h.server.url}/v1/user/profiles`, {
          method: 'POST',
          headers: { authorization: `Bearer ${h.server.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ field_name: ['user_id', 'plan'], values: [[`bulk-${n}`, 'bronze']] }),
        });
        expect(answer.status).toBe(200);
      }
      await goTo(owner, 'Users');
      const users = owner.getByRole('table', { name: 'Users' });
      const names = () => users.locator('tbody tr td:first-child').allInnerTexts();
      await expect.poll(async () => (await names()).length).toBe(50);
      const firstPage = await names();
      await owner.getByRole('button', { name: 'Next page' }).click();
      await expect.poll(async () => (await names())[0]).not.toBe(firstPage[0]);
      const secondPage = await names();
      // Every person once across the two pages: 55 bulk users, 3 from the CSV and the tag, anonymous ones.
      expect(secondPage.length).toBeLessThan(50);
      expect(secondPage.filter((name) => firstPage.includes(name))).toEqual([]);
      const all = [...firstPage, ...secondPage];
      for (const name of ['bulk-0', 'bulk-54', 'user-42', 'user-7']) expect(all).toContain(name);
      expect(await owner.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
      await owner.getByRole('button', { name: 'Previous page' }).click();
      await expect.poll(async () => (await names())[0]).toBe(firstPage[0]);
      await owner.getByLabel('Search').fill('bulk-54');
      await expect.poll(names).toEqual(['bulk-54']);
      await owner.getByLabel('Search').fill('');
      await expect.poll(async () => (await names()).length).toBe(50);

      await goTo(owner, 'Imports');
      const history = owner.getByRole('table', { name: 'Import history' });
      await history.getByText('(API upload)').first().waitFor();
      expect(await history.locator('tbody tr').count()).toBe(50);
      expect(await history.getByText('members.csv').count()).toBe(0);
      await owner.getByRole('button', { name: 'Next page' }).click();
      await history.getByText('members.csv').first().waitFor();
      // 55 uploads, the CSV file twice (a dry run, then the import) and the file refused as too wide.
      expect(await history.locator('tbody tr').count()).toBe(8);
      expect(await owner.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
      await expectAccessible(owner, 'imports, second page');
    });

    it('an owner deletes a person after confirming, exports one, and splits a device off', async () => {
      await openProfile('user-9');
      const [exported] = await Promise.all([
        owner.waitForEvent('download'),
        owner.getByRole('button', { name: 'Export (JSON)' }).click(),
      ]);
      expect(JSON.parse(await streamText(await exported.createReadStream())).profile.user_id).toBe('user-9');
      await owner.getByRole('button', { name: 'Delete this person…' }).click();
      const dialog = owner.getByRole('dialog', { name: 'Please confirm' });
      await dialog.getByText('This cannot be undone').waitFor();
      await expectAccessible(owner, 'delete person dialog');
      await screenshot(owner, 'delete-person');
      await dialog.getByRole('button', { name: 'Delete for good' }).click();
      await owner.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
      const gone = await fetch(`${h.server.url}/api/users/user-9`, {
        headers: { authorization: `Bearer ${h.server.apiKey}` },
      });
      expect(gone.status).toBe(404);

      // user-42 on two devices: split the phone off into a person of its own.
      expect((await track(h, 'identify', { anonymousId: 'anon-phone-42', userId: 'user-42' })).status).toBe(
        200,
      );
      await h.server.settled();
      await openProfile('user-42');
      await owner.getByRole('button', { name: 'Split a device off…' }).click();
      await dialog.getByRole('textbox', { name: 'Device to split off' }).click();
      await owner.getByRole('option', { name: 'anon-phone-42' }).click();
      await dialog.getByRole('button', { name: 'Split off' }).click();
      await dialog.waitFor({ state: 'detached' });
      await expect
        .poll(() => owner.getByRole('button', { name: 'Split a device off…' }).isDisabled())
        .toBe(true);
    });
  },
);

async function streamText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userHashFor } from '../../src/projects/keys.js';
import { skipBrowserTests } from '../browser/support/chromium.js';
import {
  type DashboardHarness,
  expectAccessible,
  goTo,
  screenshot,
  track,
} from './support/dashboard-browser.js';
import { startOwnerDashboard } from './support/dashboard-seed.js';

/**
 * The Data Settings page in real Chromium, on SQLite: counts that follow identifies, a type change
 * previewed, the identity secret replaced, and an API key made, used and revoked.
 */
describe.skipIf(skipBrowserTests)(
  'dashboard in Chromium: the Data Settings page',
  { timeout: 60_000 },
  () => {
    let h: DashboardHarness;
    let owner: Page;
    beforeAll(async () => {
      ({ h, owner } = await startOwnerDashboard());
    });
    afterAll(() => h?.close());

    const projectSetting = async (name: string) =>
      (
        (await fetch(`${h.server.url}/api/project`, {
          headers: { authorization: `Bearer ${h.server.apiKey}` },
        }).then((r) => r.json())) as Record<string, unknown>
      )[name];

    it('Data Settings counts change after a visitor identifies', async () => {
      await goTo(owner, 'Data Settings');
      const identified = owner.getByTestId('stat-identified');
      await identified.getByText('0', { exact: true }).waitFor();
      expect(
        (
          await track(h, 'identify', {
            anonymousId: 'anon-laptop',
            userId: 'user-42',
            traits: { plan: 'gold', age: '34' },
          })
        ).status,
      ).toBe(200);
      await h.server.settled();
      await goTo(owner, 'Users');
      await goTo(owner, 'Data Settings');
      await identified.getByText('1', { exact: true }).waitFor();
      await owner.getByTestId('stat-bound').getByText('1', { exact: true }).waitFor();
      await owner.getByRole('cell', { name: 'plan', exact: true }).waitFor();
      await expectAccessible(owner, 'data settings');
      await screenshot(owner, 'data-settings');

      await owner.getByRole('button', { name: 'Change type of age' }).click();
      await owner.getByRole('textbox', { name: 'New type' }).click();
      await owner.getByRole('option', { name: 'boolean' }).click();
      await owner.getByRole('button', { name: 'Preview' }).click();
      await owner.getByTestId('type-preview').getByText('1 do not read as boolean').waitFor();
      await expectAccessible(owner, 'type change preview');
      await owner.getByRole('button', { name: 'Cancel' }).click();
    });

    it('Replace secret makes a new identity secret: identifies signed with the old one are refused', async () => {
      await owner.goto(`${h.origin}/data-settings`);
      const shown = owner.getByTestId('identity-secret');
      const before = ((await shown.textContent()) ?? '').trim();
      await owner.getByRole('button', { name: 'Replace secret' }).click();
      const dialog = owner.getByRole('dialog', { name: 'Replace the identity secret?' });
      await expectAccessible(owner, 'replace secret dialog');
      await dialog.getByRole('button', { name: 'Replace secret' }).click();
      await dialog.waitFor({ state: 'detached' });
      await expect.poll(async () => ((await shown.textContent()) ?? '').trim()).not.toBe(before);
      const after = ((await shown.textContent()) ?? '').trim();
      const project = await fetch(`${h.server.url}/api/project`, {
        headers: { authorization: `Bearer ${h.server.apiKey}` },
      }).then((r) => r.json() as Promise<{ identity_secret: string }>);
      expect(project.identity_secret).toBe(after);

      await owner.getByText('Require userHash on identify').click();
      await expect.poll(() => projectSetting('verify_identity')).toBe(true);
      const identify = (userId: string, secret: string) =>
        track(h, 'identify', {
          anonymousId: `anon-${userId}`,
          userId,
          userHash: userHashFor(secret, userId),
        });
      const withOld = await (await identify('user-old-hash', before)).json();
      expect(withOld.rejected).toEqual([expect.objectContaining({ code: 'INVALID_USER_HASH' })]);
      expect(await (await identify('user-new-hash', after)).json()).toEqual({ success: true });
      await owner.getByText('Require userHash on identify').click();
      await expect.poll(() => projectSetting('verify_identity')).toBe(false);
      await screenshot(owner, 'identity-secret-replaced');
    });

    it('an API key made in Data Settings is shown once, works, shows its last use, and is refused once revoked', async () => {
      await goTo(owner, 'Data Settings');
      await owner.getByLabel('New key name').fill('Reporting');
      await owner.getByRole('button', { name: 'Create key' }).click();
      const shownOnce = owner.getByRole('alert').filter({ hasText: 'it is shown only once' });
      const secret = ((await shownOnce.locator('pre, code').first().textContent()) ?? '').trim();
      expect(secret.length).toBeGreaterThan(20);
      const keys = owner.getByRole('table', { name: 'API keys' });
      const row = keys.getByRole('row', { name: /Reporting/ });
      await row.getByRole('cell', { name: 'never' }).waitFor();
      const read = () =>
        fetch(`${h.server.url}/api/persons?limit=1`, { headers: { authorization: `Bearer ${secret}` } });
      expect((await read()).status).toBe(200);
      await owner.reload();
      await row.getByRole('button', { name: 'Revoke Reporting' }).waitFor();
      expect(await row.getByRole('cell', { name: 'never' }).count()).toBe(0);
      await expectAccessible(owner, 'api keys');
      await screenshot(owner, 'api-keys');
      await row.getByRole('button', { name: 'Revoke Reporting' }).click();
      const dialog = owner.getByRole('dialog', { name: 'Revoke the key "Reporting"?' });
      await dialog.getByRole('button', { name: 'Revoke' }).click();
      await dialog.waitFor({ state: 'detached' });
      await row.waitFor({ state: 'detached' });
      expect((await read()).status).toBe(401);
    });
  },
);

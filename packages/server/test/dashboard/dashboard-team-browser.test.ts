import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipBrowserTests } from '../browser/support/chromium.js';
import { type DashboardHarness, expectAccessible, goTo, screenshot } from './support/dashboard-browser.js';
import { seedIdentifiedVisitor, startOwnerDashboard } from './support/dashboard-seed.js';

/**
 * The Team & projects page in real Chromium, on SQLite: a viewer invited by link (no admin controls,
 * admin actions refused) and a second project switched to in the header.
 */
describe.skipIf(skipBrowserTests)(
  'dashboard in Chromium: the Team & projects page',
  { timeout: 60_000 },
  () => {
    let h: DashboardHarness;
    let owner: Page;
    beforeAll(async () => {
      ({ h, owner } = await startOwnerDashboard());
      await seedIdentifiedVisitor(h);
      // A user imported through the API (the second project's test finds the first project's users).
      const upload = await fetch(`${h.server.url}/v1/user/profiles`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.server.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ field_name: ['user_id', 'plan'], values: [['bulk-0', 'bronze']] }),
      });
      if (upload.status !== 200) throw new Error(`profile upload answered ${upload.status}`);
    });
    afterAll(() => h?.close());

    it('a viewer invited by link reads, has no admin controls, and an admin action is refused (403, said in the page)', async () => {
      await goTo(owner, 'Team & projects');
      await owner.getByRole('button', { name: 'Create invitation link' }).click();
      const link = String(await owner.locator('pre').filter({ hasText: '/invite?token=' }).textContent());
      await expectAccessible(owner, 'team');
      const { page: viewer } = await h.newPage();
      await viewer.goto(link.replace(/^http:\/\/[^/]+/, h.origin));
      await viewer.getByRole('button', { name: 'Create account' }).waitFor();
      await expectAccessible(viewer, 'invitation');
      await viewer.getByLabel('E-mail').fill('viewer@shop.example');
      await viewer.getByLabel(/^Password/).fill('viewer password 1');
      await viewer.getByRole('button', { name: 'Create account' }).click();
      await viewer.getByRole('heading', { level: 1, name: 'Install' }).waitFor();
      await goTo(viewer, 'Users');
      await viewer.getByRole('link', { name: 'user-42' }).click();
      await viewer.getByRole('heading', { level: 1, name: 'user-42' }).waitFor();
      expect(await viewer.getByRole('button', { name: /Delete this person/ }).count()).toBe(0);
      const refused = await viewer.evaluate(async (projectId) => {
        const { csrf_token } = await (await fetch('/api/session')).json();
        const answer = await fetch('/api/users/user-42', {
          method: 'DELETE',
          headers: { 'x-csrf-token': csrf_token, 'x-acquaint-project': projectId },
        });
        return { status: answer.status, body: await answer.json() };
      }, h.server.projectId);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('ROLE_FORBIDDEN');
      await screenshot(viewer, 'viewer-profile');

      // No admin controls on the pages that have them for an owner.
      await goTo(viewer, 'Install');
      await viewer.getByRole('button', { name: 'Copy snippet' }).waitFor();
      expect(await viewer.getByRole('button', { name: 'Replace write key' }).count()).toBe(0);
      await goTo(viewer, 'Data Settings');
      await viewer.getByRole('cell', { name: 'plan', exact: true }).waitFor();
      for (const name of ['Replace secret', 'Create key', 'Change type of age']) {
        expect(await viewer.getByRole('button', { name }).count(), name).toBe(0);
      }
      await goTo(viewer, 'Groups');
      expect(await viewer.getByRole('link', { name: 'New group' }).count()).toBe(0);

      // A viewer who opens the builder by its address is refused when saving: 403, said in the page.
      await viewer.goto(`${h.origin}/groups/new`);
      await viewer.getByLabel('Group name').fill('Viewer group');
      const answer = viewer.waitForResponse(
        (r) => r.url().endsWith('/api/groups') && r.request().method() === 'POST',
      );
      await viewer.getByRole('button', { name: 'Create group' }).click();
      expect((await answer).status()).toBe(403);
      const alert = viewer.getByRole('alert').filter({ hasText: 'Not allowed' });
      await alert.getByText('your role (viewer) may not do this').waitFor();
      await expectAccessible(viewer, 'viewer refused');
      await screenshot(viewer, 'viewer-refused');
      const groups = await fetch(`${h.server.url}/api/groups`, {
        headers: { authorization: `Bearer ${h.server.apiKey}` },
      }).then((r) => r.json());
      expect(groups).toEqual({ groups: [] });
    });

    it('an owner creates a second project and switches between projects in the header', async () => {
      await goTo(owner, 'Install');
      const keyOf = async () =>
        /wk_[A-Za-z0-9_-]+/.exec((await owner.locator('pre').first().textContent()) ?? '')?.[0];
      const firstKey = await keyOf();
      await goTo(owner, 'Team & projects');
      await owner.getByLabel('New project name').fill('Second shop');
      await owner.getByRole('button', { name: 'Create project' }).click();
      await expect
        .poll(() => owner.getByRole('textbox', { name: 'Project', exact: true }).inputValue())
        .toBe('Second shop');
      await goTo(owner, 'Users');
      await owner.getByText('No users yet').waitFor();
      await goTo(owner, 'Install');
      const secondKey = await keyOf();
      expect(secondKey).toBeTruthy();
      expect(secondKey).not.toBe(firstKey);
      await screenshot(owner, 'second-project');
      await owner.getByRole('textbox', { name: 'Project', exact: true }).click();
      await owner.getByRole('option', { name: 'Test site' }).click();
      await expect.poll(keyOf).toBe(firstKey);
      await goTo(owner, 'Users');
      await owner
        .getByRole('link', { name: /^bulk-/ })
        .first()
        .waitFor();
    });
  },
);

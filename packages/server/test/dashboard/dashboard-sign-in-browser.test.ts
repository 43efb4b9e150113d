import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipBrowserTests, waitUntil } from '../browser/support/chromium.js';
import {
  type DashboardHarness,
  expectAccessible,
  screenshot,
  signIn,
  startDashboard,
  submitCredentials,
} from './support/dashboard-browser.js';
import { OWNER } from './support/session-client.js';

/**
 * The dashboard in real Chromium, on SQLite: the owner account made at first run, signing in, a
 * session that ends, and changes forged without the CSRF token or from a sibling site.
 */
describe.skipIf(skipBrowserTests)(
  'dashboard in Chromium: first run, sign-in, sessions and forged changes',
  { timeout: 60_000 },
  () => {
    let h: DashboardHarness;
    let owner: Page;
    beforeAll(async () => {
      h = await startDashboard('sqlite');
      owner = (await h.newPage()).page;
    });
    afterAll(() => h?.close());

    it('first-run setup creates the owner from the link acquaint start prints', async () => {
      await owner.goto(`${h.origin}/`);
      await owner.getByText('This install has no owner account yet').waitFor();
      await owner.goto(`${h.origin}/setup?token=${h.setupToken}`);
      await owner.getByRole('heading', { name: 'Welcome to Acquaint' }).waitFor();
      await expectAccessible(owner, 'setup');
      await owner.getByLabel('E-mail').fill(OWNER.email);
      await owner.getByLabel(/^Password/).fill('short');
      await owner.getByRole('button', { name: 'Create owner account' }).click();
      await owner.getByRole('alert').getByText('at least 10 characters').waitFor();
      await screenshot(owner, 'setup');
      await owner.getByLabel(/^Password/).fill(OWNER.password);
      await owner.getByRole('button', { name: 'Create owner account' }).click();
      await owner.getByRole('heading', { level: 1, name: 'Install' }).waitFor();
      expect(new URL(owner.url()).pathname).toBe('/');
    });

    it('sign-in refuses a wrong password with a message, then signs in', async () => {
      const { page } = await h.newPage();
      await signIn(page, h.origin, OWNER.email, 'not my password');
      await page.getByRole('alert').getByText('the e-mail address or the password is wrong').waitFor();
      await expectAccessible(page, 'sign-in');
      await screenshot(page, 'sign-in-wrong-password');
      await page.getByLabel(/^Password/).fill(OWNER.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Install' }).waitFor();
    });

    it('a forged change is refused: without the CSRF token, and from a sibling site with the cookie', async () => {
      const noToken = await owner.evaluate(async (projectId) => {
        const answer = await fetch('/api/keys', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-acquaint-project': projectId },
          body: JSON.stringify({ name: 'forged', scopes: ['admin'] }),
        });
        return { status: answer.status, body: await answer.json() };
      }, h.server.projectId);
      expect(noToken).toMatchObject({ status: 403, body: { error: { code: 'CSRF_REFUSED' } } });

      // evil.shop.test is cross-origin but same-site, so the SameSite=Lax cookie travels with it.
      const attack = await h.newPage();
      const cookies = await owner.context().cookies();
      await attack.context.addCookies(cookies);
      await attack.page.goto(
        h.site('evil', '/prize', '<!doctype html><title>Win a prize</title><h1>Win</h1>'),
      );
      const answered = attack.page.waitForResponse((r) => r.url().endsWith('/api/keys'));
      await attack.page.evaluate((target) => {
        void fetch(target, {
          method: 'POST',
          mode: 'no-cors',
          credentials: 'include',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({ name: 'forged', scopes: ['admin'] }),
        });
      }, `${h.origin}/api/keys`);
      const response = await answered;
      // 403, not 401: the session cookie travelled (same site), and the foreign Origin was refused.
      expect(response.status()).toBe(403);
      const keys = await waitUntil(
        () =>
          fetch(`${h.server.url}/api/keys`, { headers: { authorization: `Bearer ${h.server.apiKey}` } }).then(
            (r) => r.json(),
          ),
        () => true,
      );
      expect((keys as { keys: { name: string }[] }).keys.map((k) => k.name)).not.toContain('forged');
      await screenshot(attack.page, 'forged-change-refused');
    });

    it('a session that ended sends the page to sign-in with a message, and signing in goes on', async () => {
      const startedAt = Date.now();
      const { page } = await h.newPage();
      await signIn(page, h.origin, OWNER.email, OWNER.password);
      await page.getByRole('heading', { level: 1, name: 'Install' }).waitFor();
      // Expire this browser's session (only sessions made by this test) as time would.
      await h.server.store.db
        .updateTable('account_sessions')
        .set({ expires_at: Date.now() - 1000 })
        .where('created_at', '>=', startedAt)
        .execute();
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Users' }).click();
      await page.getByTestId('sign-in-notice').getByText('Your session ended').waitFor();
      await expectAccessible(page, 'session ended');
      await screenshot(page, 'session-ended');
      await submitCredentials(page, OWNER.email, OWNER.password, 'Sign in');
      await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    });
  },
);

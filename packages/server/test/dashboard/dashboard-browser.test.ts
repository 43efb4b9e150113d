import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userHashFor } from '../../src/projects/keys.js';
import { basicAuth } from '../api/api-client.js';
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

const XSS = '<img src=x onerror="window.__pwned=1">';

/** The dashboard in real Chromium, on SQLite: one owner's first day, then a viewer and an attacker. */
describe.skipIf(skipBrowserTests)('dashboard in Chromium', { timeout: 60_000 }, () => {
  let h: DashboardHarness;
  let owner: Page;
  beforeAll(async () => {
    h = await startDashboard('sqlite');
    owner = (await h.newPage()).page;
  });
  afterAll(() => h?.close());

  const track = (path: string, message: Record<string, unknown>) =>
    fetch(`${h.server.url}/v1/${path}`, {
      method: 'POST',
      headers: { authorization: basicAuth(h.server.writeKey), 'content-type': 'application/json' },
      body: JSON.stringify(message),
    });
  const go = async (page: Page, label: string) => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: label }).click();
    await page.getByRole('heading', { level: 1, name: label }).waitFor();
  };

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

  it('Data Settings counts change after a visitor identifies', async () => {
    await go(owner, 'Data Settings');
    const identified = owner.getByTestId('stat-identified');
    await identified.getByText('0', { exact: true }).waitFor();
    expect(
      (
        await track('identify', {
          anonymousId: 'anon-laptop',
          userId: 'user-42',
          traits: { plan: 'gold', age: '34' },
        })
      ).status,
    ).toBe(200);
    await h.server.settled();
    await go(owner, 'Users');
    await go(owner, 'Data Settings');
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

  it('a CSV upload shows a preview, imports, and reports its error row with a file to download', async () => {
    await go(owner, 'Imports');
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
    const refused = owner.waitForResponse((r) => r.url().endsWith('/file') && r.request().method() === 'PUT');
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
    await go(owner, 'Users');
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

  it('a viewer invited by link reads, has no admin controls, and an admin action is refused (403, said in the page)', async () => {
    await go(owner, 'Team & projects');
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
    await go(viewer, 'Users');
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
    await go(viewer, 'Install');
    await viewer.getByRole('button', { name: 'Copy snippet' }).waitFor();
    expect(await viewer.getByRole('button', { name: 'Replace write key' }).count()).toBe(0);
    await go(viewer, 'Data Settings');
    await viewer.getByRole('cell', { name: 'plan', exact: true }).waitFor();
    for (const name of ['Replace secret', 'Create key', 'Change type of age']) {
      expect(await viewer.getByRole('button', { name }).count(), name).toBe(0);
    }
    await go(viewer, 'Groups');
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
    await attack.page.goto(h.site('evil', '/prize', '<!doctype html><title>Win a prize</title><h1>Win</h1>'));
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
      track('identify', { anonymousId: `anon-${userId}`, userId, userHash: userHashFor(secret, userId) });
    const withOld = await (await identify('user-old-hash', before)).json();
    expect(withOld.rejected).toEqual([expect.objectContaining({ code: 'INVALID_USER_HASH' })]);
    expect(await (await identify('user-new-hash', after)).json()).toEqual({ success: true });
    await owner.getByText('Require userHash on identify').click();
    await expect.poll(() => projectSetting('verify_identity')).toBe(false);
    await screenshot(owner, 'identity-secret-replaced');
  });

  it('an API key made in Data Settings is shown once, works, shows its last use, and is refused once revoked', async () => {
    await go(owner, 'Data Settings');
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
    await go(owner, 'Users');
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

    await go(owner, 'Imports');
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
    expect((await track('identify', { anonymousId: 'anon-phone-42', userId: 'user-42' })).status).toBe(200);
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

  it('an owner creates a second project and switches between projects in the header', async () => {
    await go(owner, 'Install');
    const keyOf = async () =>
      /wk_[A-Za-z0-9_-]+/.exec((await owner.locator('pre').first().textContent()) ?? '')?.[0];
    const firstKey = await keyOf();
    await go(owner, 'Team & projects');
    await owner.getByLabel('New project name').fill('Second shop');
    await owner.getByRole('button', { name: 'Create project' }).click();
    await expect
      .poll(() => owner.getByRole('textbox', { name: 'Project', exact: true }).inputValue())
      .toBe('Second shop');
    await go(owner, 'Users');
    await owner.getByText('No users yet').waitFor();
    await go(owner, 'Install');
    const secondKey = await keyOf();
    expect(secondKey).toBeTruthy();
    expect(secondKey).not.toBe(firstKey);
    await screenshot(owner, 'second-project');
    await owner.getByRole('textbox', { name: 'Project', exact: true }).click();
    await owner.getByRole('option', { name: 'Test site' }).click();
    await expect.poll(keyOf).toBe(firstKey);
    await go(owner, 'Users');
    await owner
      .getByRole('link', { name: /^bulk-/ })
      .first()
      .waitFor();
  });

  it('on a phone the pages fit the screen and the navigation opens from its button', async () => {
    const context = await h.browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      reducedMotion: 'reduce',
    });
    try {
      await context.addCookies(await owner.context().cookies());
      const phone = await context.newPage();
      await phone.goto(`${h.origin}/users`);
      await phone.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
      await phone.getByRole('button', { name: 'Open navigation' }).click();
      await phone
        .getByRole('navigation', { name: 'Pages' })
        .getByRole('link', { name: 'Data Settings' })
        .click();
      await phone.getByRole('heading', { level: 1, name: 'Data Settings' }).waitFor();
      await phone.getByTestId('stat-identified').waitFor();
      for (const path of ['/', '/data-settings', '/users', '/imports', '/groups', '/reports']) {
        await phone.goto(`${h.origin}${path}`);
        await phone.getByRole('heading', { level: 1 }).waitFor();
        // Wide tables scroll inside their own box; the page itself never scrolls sideways.
        const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, path).toBeLessThanOrEqual(0);
        await phone
          .getByRole('status')
          .first()
          .waitFor({ state: 'detached', timeout: 5000 })
          .catch(() => undefined);
        await expectAccessible(phone, `${path} on a phone`);
      }
      // The header (fixed, so not in the page's width) keeps sign-out on the screen.
      const signOut = await phone.getByRole('button', { name: 'Sign out' }).boundingBox();
      expect((signOut?.x ?? 0) + (signOut?.width ?? 0)).toBeLessThanOrEqual(390);
      await phone.goto(`${h.origin}/users`);
      await phone.getByRole('table', { name: 'Users' }).waitFor();
      await expectAccessible(phone, 'users on a phone');
      await screenshot(phone, 'phone-users');
    } finally {
      await context.close();
    }
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

  it('the owner replaces the write key: the snippet shows the new one and the old one is refused', async () => {
    const old = h.server.writeKey;
    await go(owner, 'Install');
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

  /** Opens a profile by its address (the person may be on any page of the list). */
  const openProfile = async (userId: string) => {
    const person = (await fetch(`${h.server.url}/api/users/${userId}`, {
      headers: { authorization: `Bearer ${h.server.apiKey}` },
    }).then((r) => r.json())) as { person_id: number };
    await owner.goto(`${h.origin}/users/${person.person_id}`);
    await owner.getByRole('heading', { level: 1, name: userId }).waitFor();
  };
  const projectSetting = async (name: string) =>
    (
      (await fetch(`${h.server.url}/api/project`, {
        headers: { authorization: `Bearer ${h.server.apiKey}` },
      }).then((r) => r.json())) as Record<string, unknown>
    )[name];
});

async function streamText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

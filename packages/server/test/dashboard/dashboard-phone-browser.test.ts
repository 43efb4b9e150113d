import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipBrowserTests } from '../browser/support/chromium.js';
import { type DashboardHarness, expectAccessible, screenshot } from './support/dashboard-browser.js';
import { seedShop, startOwnerDashboard } from './support/dashboard-seed.js';

/** The dashboard in real Chromium on a phone-sized screen, on SQLite over the small seeded shop. */
describe.skipIf(skipBrowserTests)('dashboard in Chromium: on a phone', { timeout: 60_000 }, () => {
  let h: DashboardHarness;
  let owner: Page;
  beforeAll(async () => {
    ({ h, owner } = await startOwnerDashboard());
    await seedShop(h);
  });
  afterAll(() => h?.close());

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
});

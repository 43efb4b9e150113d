import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { launchChromium, skipBrowserTests, waitUntil } from '../browser/support/chromium.js';
import { type CliServer, startCliServer, stopCliServer } from '../support/cli-server.js';
import { expectAccessible, screenshot, submitCredentials } from './support/dashboard-browser.js';
import { OWNER } from './support/session-client.js';

/**
 * The README's quick start, as a newcomer lives it: `acquaint start` (what `npm start` runs) on an
 * empty data directory prints a setup link; opening it shows the setup page, which creates the owner
 * and lands on the Install page. Uses the built CLI (`npm run build` first).
 */
describe.skipIf(skipBrowserTests)('quick start in Chromium', { timeout: 60_000 }, () => {
  let dir: string;
  let server: CliServer | undefined;
  let browser: Browser;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'acquaint-quick-start-'));
    server = await startCliServer(['--data-dir', dir]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stopCliServer(server);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the link acquaint start prints opens the setup page, which makes the owner and opens Install', async () => {
    const printed = await waitUntil(
      async () =>
        /Dashboard: open (http:\/\/\S+\/setup\?token=\S+) to create the owner account/.exec(
          (server as CliServer).output(),
        ),
      (match) => match !== null,
    );
    // The link names the host the server bound (127.0.0.1 here; localhost for 0.0.0.0).
    const link = (printed as RegExpExecArray)[1];
    const context = await browser.newContext({
      viewport: { width: 1280, height: 860 },
      reducedMotion: 'reduce',
    });
    const page = await context.newPage();
    await page.goto(link);
    await page.getByRole('heading', { name: 'Welcome to Acquaint' }).waitFor();
    await expectAccessible(page, 'quick start setup');
    await screenshot(page, 'quick-start-setup');
    await submitCredentials(page, OWNER.email, OWNER.password, 'Create owner account');
    await page.getByRole('heading', { level: 1, name: 'Install' }).waitFor();
    await page.getByText('No events yet').waitFor();
    // The link worked once: a second visit finds no setup to do and asks to sign in.
    const stranger = await browser.newContext();
    const again = await stranger.newPage();
    await again.goto(link);
    await again.getByRole('button', { name: 'Sign in' }).waitFor();
    await stranger.close();
    await context.close();
  });
});

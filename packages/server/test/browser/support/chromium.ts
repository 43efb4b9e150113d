import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium; `.ci/run` installs it with apt-get when missing. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The fixture sites' host names; Chromium resolves every `*.shop.test` to this machine. */
export const SITE_DOMAIN = 'shop.test';

const missing = !existsSync(CHROMIUM_PATH);
const underCi = process.env.CI === 'true';

/**
 * Whether to skip the browser tests: only outside CI when there is no Chromium. Under CI a
 * missing Chromium is not skipped: launching fails, and so do the tests.
 */
export const skipBrowserTests = missing && !underCi;
if (skipBrowserTests) {
  console.warn(`browser tests skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`);
}

/**
 * Headless Chromium with a fresh, empty profile (Playwright gives every launch a new temporary
 * user-data dir), none of its background traffic, and `*.shop.test` mapped to 127.0.0.1 so
 * that fixture pages have real, cookie-sharing sub-domains.
 */
export function launchChromium(): Promise<Browser> {
  if (missing) throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: apt-get install chromium`);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-quic',
      '--disable-sync',
      `--host-resolver-rules=MAP *.${SITE_DOMAIN} 127.0.0.1`,
    ],
  });
}

/** Polls `read` until `done` accepts its value; throws with the last value after `timeoutMs`. */
export async function waitUntil<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms; last value: ${JSON.stringify(value).slice(0, 2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

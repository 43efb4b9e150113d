import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { launchChromium, waitUntil } from './chromium.js';
import { Collector, type SentMessage } from './collector.js';
import { FixtureSite } from './fixture-site.js';
import { ensureSdkBuilt } from './sdk-build.js';

export const WRITE_KEY = 'wk_test';

/** Init options of the fixture pages unless a test changes `site.setup.options`. */
const DEFAULT_OPTIONS = { debug: true, flushInterval: 200 };

/**
 * Browser, collector and fixture site for the SDK's own browser tests: one browser and servers
 * per file, a fresh browser context (a new visitor: no cookies, no storage) per test. Each page
 * records its debug warnings and uncaught errors; a test fails if the page saw an error.
 */
export class SdkHarness {
  browser!: Browser;
  collector!: Collector;
  site!: FixtureSite;
  context!: BrowserContext;
  warnings: string[] = [];
  pageErrors: string[] = [];

  constructor() {
    beforeAll(async () => {
      ensureSdkBuilt();
      this.collector = await Collector.start();
      this.site = await FixtureSite.start({ host: this.collector.url, writeKey: WRITE_KEY });
    });
    afterAll(async () => {
      await this.browser?.close();
      await this.collector?.close();
      await this.site?.close();
    });
    beforeEach(async () => {
      // Launched here rather than in beforeAll so that, under CI, a missing Chromium fails each test.
      this.browser ??= await launchChromium();
      this.collector.clear();
      this.site.setup.options = { ...DEFAULT_OPTIONS };
      this.context = await this.browser.newContext();
      this.warnings = [];
      this.pageErrors = [];
    });
    afterEach(async () => {
      await this.context?.close();
      expect(this.pageErrors).toEqual([]);
    });
  }

  /** A new tab on a fixture page, once sdk.js has loaded (unless `waitForSdk` is false). */
  async open(
    path: string,
    { sub = 'www', waitForSdk = true, referer = undefined as string | undefined } = {},
  ) {
    const page = await this.context.newPage();
    this.watch(page);
    await page.goto(this.site.url(path, sub), { waitUntil: 'domcontentloaded', referer });
    if (waitForSdk) await sdkLoaded(page);
    return page;
  }

  watch(page: Page): void {
    page.on('console', (message) => {
      if (message.type() === 'warning') this.warnings.push(message.text());
    });
    page.on('pageerror', (error) => this.pageErrors.push(error.message));
  }

  /** Waits until the collector accepted messages that `done` is happy with; returns them all. */
  received(done: (messages: SentMessage[]) => boolean, timeoutMs?: number): Promise<SentMessage[]> {
    return waitUntil(() => this.collector.accepted(), done, timeoutMs);
  }
}

export function sdkLoaded(page: Page): Promise<unknown> {
  return page.waitForFunction(
    () => typeof (window as { acquaint?: { version?: string } }).acquaint?.version === 'string',
  );
}

/** `received` condition: a track message named `event` arrived. */
export const hasEvent = (event: string) => (messages: SentMessage[]) =>
  messages.some((message) => message.event === event);

export const named = (messages: SentMessage[], event: string) => messages.filter((m) => m.event === event);

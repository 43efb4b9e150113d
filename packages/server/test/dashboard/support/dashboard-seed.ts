import type { Page } from 'playwright-core';
import { basicAuth } from '../../api/api-client.js';
import { type DashboardHarness, startDashboard, submitCredentials, track } from './dashboard-browser.js';
import { OWNER } from './session-client.js';

/** Creates the owner through the first-run setup page and leaves the page signed in on Install. */
export async function setUpOwnerInPage(h: DashboardHarness, page: Page): Promise<void> {
  await page.goto(`${h.origin}/setup?token=${h.setupToken}`);
  await submitCredentials(page, OWNER.email, OWNER.password, 'Create owner account');
  await page.getByRole('heading', { level: 1, name: 'Install' }).waitFor();
}

/**
 * A small shop: user-1 and user-2 are gold (user-1 bought twice on a phone and a laptop), user-3
 * is silver; all visited today. Sent through the tracking API and applied before it returns.
 */
export async function seedShop(h: DashboardHarness): Promise<void> {
  const now = Date.now();
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
  const phone = { userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148' };
  const laptop = {
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36',
  };
  const batch = [
    {
      type: 'page',
      anonymousId: 'anon-phone',
      properties: { url: 'https://shop.test/' },
      context: phone,
      timestamp: at(60),
    },
    {
      type: 'identify',
      anonymousId: 'anon-phone',
      userId: 'user-1',
      traits: { plan: 'gold', age: 34 },
      context: phone,
      timestamp: at(59),
    },
    {
      type: 'track',
      anonymousId: 'anon-laptop',
      userId: 'user-1',
      event: 'purchase',
      context: laptop,
      timestamp: at(30),
    },
    {
      type: 'track',
      anonymousId: 'anon-phone',
      userId: 'user-1',
      event: 'purchase',
      context: phone,
      timestamp: at(20),
    },
    {
      type: 'identify',
      anonymousId: 'anon-2',
      userId: 'user-2',
      traits: { plan: 'gold', age: 51 },
      context: laptop,
      timestamp: at(50),
    },
    {
      type: 'page',
      anonymousId: 'anon-2',
      userId: 'user-2',
      properties: { url: 'https://shop.test/sale' },
      context: laptop,
      timestamp: at(49),
    },
    {
      type: 'identify',
      anonymousId: 'anon-3',
      userId: 'user-3',
      traits: { plan: 'silver', age: 28 },
      context: phone,
      timestamp: at(40),
    },
    {
      type: 'track',
      anonymousId: 'anon-3',
      userId: 'user-3',
      event: 'purchase',
      context: phone,
      timestamp: at(39),
    },
  ];
  const answer = await fetch(`${h.server.url}/v1/batch`, {
    method: 'POST',
    headers: { authorization: basicAuth(h.server.writeKey), 'content-type': 'application/json' },
    body: JSON.stringify({ batch }),
  });
  if (answer.status !== 200) throw new Error(`seeding failed: ${answer.status} ${await answer.text()}`);
  await h.server.settled();
}

/** user-42, identified on anon-laptop with a gold plan and a text age; applied before it returns. */
export async function seedIdentifiedVisitor(h: DashboardHarness): Promise<void> {
  const answer = await track(h, 'identify', {
    anonymousId: 'anon-laptop',
    userId: 'user-42',
    traits: { plan: 'gold', age: '34' },
  });
  if (answer.status !== 200) throw new Error(`identify answered ${answer.status}`);
  await h.server.settled();
}

/** A dashboard on SQLite whose owner is set up and signed in on `owner` (left on Install). */
export async function startOwnerDashboard(): Promise<{ h: DashboardHarness; owner: Page }> {
  const h = await startDashboard('sqlite');
  const owner = (await h.newPage()).page;
  await setUpOwnerInPage(h, owner);
  return { h, owner };
}

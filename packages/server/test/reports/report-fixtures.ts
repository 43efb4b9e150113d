import { IPHONE_UA, WINDOWS_CHROME_UA } from '../api/api-client.js';
import type { TestServer } from '../support/test-server.js';

export const GOOGLEBOT_UA = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

const phone = { userAgent: IPHONE_UA };
const laptop = { userAgent: WINDOWS_CHROME_UA };
const page = (url: string, referrer?: string) => ({ url, ...(referrer ? { referrer } : {}) });

/**
 * A small shop, all in March 2026 (UTC), with one session per device (no gap over 30 minutes):
 * - alice (gold, age 34, interests sports+music, signed up 2026-03-01T20:00Z) buys on her phone
 *   BEFORE signing in, then signs in there; the next day she signs in on her laptop too.
 * - bob (silver, age "34" as text, interests music) visits on a laptop and buys nothing.
 * - carol never signs in; she buys on her phone, arriving directly.
 * - erin arrives on her laptop from a newsletter (UTM), signs in, comes back in the evening on her
 *   phone from Google, signs in there and buys.
 * - a Googlebot claims to be a gold member and buys: it must count nowhere.
 * - dave (gold) visits only on 2026-03-10, outside the reports' range.
 */
export const SHOP_MESSAGES = [
  {
    type: 'page',
    anonymousId: 'a-phone',
    timestamp: '2026-03-02T09:00:00Z',
    context: { ...phone, page: page('https://shop.example/', 'https://t.co/abc') },
  },
  {
    type: 'track',
    anonymousId: 'a-phone',
    event: 'purchase',
    timestamp: '2026-03-02T09:05:00Z',
    context: phone,
  },
  {
    type: 'identify',
    anonymousId: 'a-phone',
    userId: 'u-alice',
    timestamp: '2026-03-02T09:10:00Z',
    context: phone,
    traits: {
      membership_level: 'gold',
      age: 34,
      interests: ['sports', 'music'],
      signup_date: '2026-03-01T20:00:00Z',
    },
  },
  {
    type: 'identify',
    anonymousId: 'a-laptop',
    userId: 'u-alice',
    timestamp: '2026-03-03T10:00:00Z',
    context: laptop,
  },
  {
    type: 'page',
    anonymousId: 'a-laptop',
    timestamp: '2026-03-03T10:01:00Z',
    context: { ...laptop, page: page('https://shop.example/') },
  },
  {
    type: 'identify',
    anonymousId: 'b-laptop',
    userId: 'u-bob',
    timestamp: '2026-03-02T12:00:00Z',
    context: laptop,
    traits: { membership_level: 'silver', age: '34', interests: ['music'] },
  },
  {
    type: 'page',
    anonymousId: 'b-laptop',
    timestamp: '2026-03-02T12:01:00Z',
    context: { ...laptop, page: page('https://shop.example/') },
  },
  {
    type: 'page',
    anonymousId: 'c-phone',
    timestamp: '2026-03-02T14:00:00Z',
    context: { ...phone, page: page('https://shop.example/') },
  },
  {
    type: 'track',
    anonymousId: 'c-phone',
    event: 'purchase',
    timestamp: '2026-03-02T14:10:00Z',
    context: phone,
  },
  {
    type: 'identify',
    anonymousId: 'bot-1',
    userId: 'u-bot',
    timestamp: '2026-03-02T15:00:00Z',
    context: { userAgent: GOOGLEBOT_UA },
    traits: { membership_level: 'gold' },
  },
  {
    type: 'page',
    anonymousId: 'bot-1',
    timestamp: '2026-03-02T15:01:00Z',
    context: { userAgent: GOOGLEBOT_UA, page: page('https://shop.example/') },
  },
  {
    type: 'track',
    anonymousId: 'bot-1',
    event: 'purchase',
    timestamp: '2026-03-02T15:02:00Z',
    context: { userAgent: GOOGLEBOT_UA },
  },
  {
    type: 'page',
    anonymousId: 'e-laptop',
    timestamp: '2026-03-02T08:00:00Z',
    context: { ...laptop, page: page('https://shop.example/?utm_source=newsletter') },
  },
  {
    type: 'identify',
    anonymousId: 'e-laptop',
    userId: 'u-erin',
    timestamp: '2026-03-02T08:01:00Z',
    context: laptop,
  },
  {
    type: 'page',
    anonymousId: 'e-phone',
    timestamp: '2026-03-02T20:00:00Z',
    context: { ...phone, page: page('https://shop.example/p', 'https://www.google.com/') },
  },
  {
    type: 'identify',
    anonymousId: 'e-phone',
    userId: 'u-erin',
    timestamp: '2026-03-02T20:01:00Z',
    context: phone,
  },
  {
    type: 'track',
    anonymousId: 'e-phone',
    event: 'purchase',
    timestamp: '2026-03-02T20:05:00Z',
    context: phone,
  },
  {
    type: 'identify',
    anonymousId: 'd-laptop',
    userId: 'u-dave',
    timestamp: '2026-03-10T09:00:00Z',
    context: laptop,
    traits: { membership_level: 'gold' },
  },
  {
    type: 'page',
    anonymousId: 'd-laptop',
    timestamp: '2026-03-10T09:01:00Z',
    context: { ...laptop, page: page('https://shop.example/') },
  },
];

/** The range of the shop's reports: 2 March and 3 March 2026, UTC. */
export const SHOP_RANGE = { from: '2026-03-02T00:00:00Z', to: '2026-03-04T00:00:00Z' };

/** `PATCH /api/project {"timezone"}` with the test server's API key. */
export function patchTimeZone(server: Pick<TestServer, 'app' | 'apiKey'>, timezone: string) {
  return server.app.inject({
    method: 'PATCH',
    url: '/api/project',
    headers: { authorization: `Bearer ${server.apiKey}` },
    payload: { timezone },
  });
}

import { randomUUID } from 'node:crypto';

/** Realistic tracking traffic for benchmarks: browsers, pages, sign-ins across two devices. */

const USER_AGENTS = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
];
const MOBILE_AGENTS = [USER_AGENTS[0], USER_AGENTS[1], USER_AGENTS[5]];
const DESKTOP_AGENTS = [USER_AGENTS[2], USER_AGENTS[3], USER_AGENTS[4]];
const PAGES = [
  '/',
  '/pricing',
  '/products/shoes',
  '/products/bags',
  '/blog/how-to-choose',
  '/cart',
  '/checkout',
  '/account',
];
const EVENTS = [
  'Product Viewed',
  'Added to Cart',
  'Checkout Started',
  'Order Completed',
  'Newsletter Signup',
];
const REFERRERS = ['https://www.google.com/', 'https://t.co/abc', '', 'https://news.example.org/article'];

export interface TrafficOptions {
  /** Identified users, each with a phone and a laptop. */
  users: number;
  /** Anonymous visitors who never sign in. */
  visitors: number;
}

let counter = 0;
const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)];
/** A device keeps its browser: the same anonymous id always sends the same user agent. */
const agentOf = (anonymousId: string) => {
  let hash = 0;
  for (let i = 0; i < anonymousId.length; i++) hash = (hash * 31 + anonymousId.charCodeAt(i)) | 0;
  const agents = anonymousId.startsWith('phone-')
    ? MOBILE_AGENTS
    : anonymousId.startsWith('laptop-')
      ? DESKTOP_AGENTS
      : USER_AGENTS;
  return agents[Math.abs(hash) % agents.length];
};
/** Some people visit far more than others: index `i` of `n` drawn with weight falling off as 1/√i. */
const skewed = (n: number) => Math.floor(n * Math.random() ** 2);

/**
 * One message: 50% from anonymous visitors, 20% from identified users on their first device and
 * 30% from identified users on a second device; 50% page views, 35% tracks, 15% identifies.
 */
export function trafficMessage(options: TrafficOptions): Record<string, unknown> {
  const roll = Math.random();
  const userIndex = skewed(options.users);
  let anonymousId: string;
  let userId: string | undefined;
  if (roll < 0.5) {
    anonymousId = `visitor-${skewed(options.visitors)}`;
  } else if (roll < 0.7) {
    anonymousId = `phone-${userIndex}`;
    userId = `user-${userIndex}`;
  } else {
    anonymousId = `laptop-${userIndex}`;
    userId = `user-${userIndex}`;
  }
  const path = pick(PAGES);
  const url = `https://shop.example.com${path}${Math.random() < 0.1 ? '?utm_source=newsletter&utm_medium=email&utm_campaign=spring' : ''}`;
  const referrer = pick(REFERRERS);
  const context = {
    userAgent: agentOf(anonymousId),
    page: { url, path, referrer, title: `Shop — ${path}` },
    library: { name: 'acquaint-js', version: '0.1.0' },
    locale: 'ja-JP',
    screen: { width: 390, height: 844 },
  };
  const kind = Math.random();
  const base = {
    messageId: `${randomUUID()}-${counter++}`,
    anonymousId,
    userId,
    timestamp: new Date().toISOString(),
    context,
  };
  if (kind < 0.5)
    return {
      ...base,
      type: 'page',
      name: path,
      properties: { url, path, referrer, title: `Shop — ${path}` },
    };
  if (kind < 0.85 || userId === undefined) {
    return {
      ...base,
      type: 'track',
      event: pick(EVENTS),
      properties: {
        price: Math.round(Math.random() * 20000),
        currency: 'JPY',
        sku: `SKU-${userIndex % 500}`,
      },
    };
  }
  return {
    ...base,
    type: 'identify',
    traits: {
      email: `${userId}@example.com`,
      plan: pick(['free', 'pro', 'gold']),
      age: 20 + (userIndex % 50),
      last_active_date: new Date().toISOString(),
    },
  };
}

/** A `/v1/batch` body of `size` messages. */
export function trafficBatch(options: TrafficOptions, size: number, writeKey: string): string {
  const batch = Array.from({ length: size }, () => trafficMessage(options));
  return JSON.stringify({ writeKey, sentAt: new Date().toISOString(), batch });
}

/**
 * Request bodies for load generators: 200 templates of `size` messages whose messageIds carry a
 * placeholder, filled with a fresh prefix per request, so every message is new (no dedupe
 * shortcut) and the load generator spends its time sending rather than building JSON.
 */
export function freshBodies(options: TrafficOptions, size: number, writeKey: string): () => string {
  const templates = Array.from({ length: 200 }, () =>
    trafficBatch(options, size, writeKey)
      .replace(/"messageId":"[^"]+"/g, (_m, offset: number) => `"messageId":"__ID__-${offset}"`)
      .split('__ID__'),
  );
  const prefix = Math.random().toString(36).slice(2, 8);
  let request = 0;
  return () => {
    request += 1;
    return templates[request % templates.length].join(`${prefix}${request}`);
  };
}

import { describe, expect, it } from 'vitest';
import './support/acquaint-in-page.js';
import { skipBrowserTests, waitUntil } from './support/chromium.js';
import { hasEvent, named, SdkHarness, WRITE_KEY } from './support/sdk-harness.js';

describe.skipIf(skipBrowserTests)('browser SDK: delivery', () => {
  const harness = new SdkHarness();

  it('replays the calls made before sdk.js loaded, in the order they were made', async () => {
    harness.collector.sdkDelayMs = 500;
    const page = await harness.open('article.html', { waitForSdk: false });
    const stubbed = await page.evaluate(() => {
      acquaint.identify('user-42', { plan: 'gold' });
      acquaint.track('signed_up');
      return acquaint.version === undefined;
    });
    expect(stubbed).toBe(true);

    const messages = await harness.received((all) => all.length >= 3);
    expect(messages.map((m) => [m.type, m.userId])).toEqual([
      ['page', undefined],
      ['identify', 'user-42'],
      ['track', 'user-42'],
    ]);
    expect(new Set(messages.map((m) => m.anonymousId)).size).toBe(1);
    expect(messages[1].traits).toEqual({ plan: 'gold' });
  });

  it('waits for init when sdk.js is loaded without the snippet', async () => {
    await harness.open('plain-script.html');
    const messages = await harness.received((all) => all.length >= 3);
    expect(messages.map((m) => [m.type, m.event ?? m.traits, m.userId])).toEqual([
      ['track', 'before_init', undefined],
      ['identify', { plan: 'gold' }, 'user-42'],
      ['page', undefined, 'user-42'],
    ]);
  });

  it('sends batches as text/plain with the write key, sentAt and Segment messages', async () => {
    const page = await harness.open('article.html');
    await page.evaluate(() => {
      for (const sku of ['sku-1', 'sku-2', 'sku-3']) acquaint.track('item_viewed', { sku });
    });
    await harness.received((all) => named(all, 'item_viewed').length === 3);

    const request = harness.collector.requests.find((r) =>
      r.body.batch.some((m) => m.event === 'item_viewed'),
    )!;
    expect(request.headers['content-type']).toMatch(/^text\/plain/);
    expect(request.body.writeKey).toBe(WRITE_KEY);
    expect(Date.parse(request.body.sentAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(request.body.batch.filter((m) => m.event === 'item_viewed')).toHaveLength(3);

    const [first] = request.body.batch.filter((m) => m.event === 'item_viewed');
    expect(first).toMatchObject({ type: 'track', properties: { sku: 'sku-1' } });
    expect(first.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(first.context).toMatchObject({
      page: {
        path: '/article.html',
        title: 'Running shoes guide – Shop',
        url: harness.site.url('article.html'),
      },
      library: { name: 'acquaint-js', version: '0.1.0' },
      locale: 'en-US',
    });
    expect(first.context.userAgent).toContain('Chrome');
    expect(first.context.screen.width).toBeGreaterThan(0);
    expect(first.context.sessionId).toMatch(/^\d+$/);
    const messageIds = harness.collector.requests.flatMap((r) => r.body.batch.map((m) => m.messageId));
    expect(new Set(messageIds).size).toBe(messageIds.length);
  });

  it('retries after server errors with the same messageIds, backing off', async () => {
    harness.collector.answers = [{ status: 503 }, { status: 500 }];
    await harness.open('article.html');
    await harness.received((all) => all.length === 1);

    const attempts = harness.collector.requests;
    expect(attempts.map((r) => r.status)).toEqual([503, 500, 200]);
    const ids = attempts.map((r) => r.body.batch.map((m) => m.messageId).join());
    expect(new Set(ids).size).toBe(1);
    expect(attempts[1].receivedAt - attempts[0].receivedAt).toBeGreaterThanOrEqual(450);
    expect(attempts[2].receivedAt - attempts[1].receivedAt).toBeGreaterThanOrEqual(950);
    expect(harness.warnings.some((w) => w.includes('delivery failed (503)'))).toBe(true);
  });

  it('waits at least Retry-After after a 429', async () => {
    harness.collector.answers = [{ status: 429, headers: { 'Retry-After': '2' } }];
    await harness.open('article.html');
    await harness.received((all) => all.length === 1);

    const [limited, retried] = harness.collector.requests;
    expect(retried.receivedAt - limited.receivedAt).toBeGreaterThanOrEqual(1950);
  });

  it('drops a batch the server refuses with 400, and says why in debug mode', async () => {
    harness.collector.answers = [{ status: 400, body: { error: { code: 'INVALID_BODY', message: 'bad' } } }];
    const page = await harness.open('article.html');
    await waitUntil(
      () => harness.collector.requests.length,
      (count) => count === 1,
    );
    await page.evaluate(() => acquaint.track('after_refusal'));
    await harness.received(hasEvent('after_refusal'));

    expect(harness.collector.requests.map((r) => r.status)).toEqual([400, 200]);
    expect(harness.collector.accepted().map((m) => m.type)).toEqual(['track']);
    // Console messages reach the test over the DevTools protocol, possibly after the next request.
    await waitUntil(
      () => harness.warnings.some((w) => w.includes('refused a batch (400)')),
      (seen) => seen,
    );
  });

  it('queues events while offline and sends each exactly once when the network returns', async () => {
    const page = await harness.open('article.html');
    await harness.received((all) => all.length === 1);
    await harness.context.setOffline(true);
    await page.evaluate(() => {
      for (const step of ['cart', 'shipping', 'payment']) acquaint.track('checkout_step', { step });
    });
    await page.waitForTimeout(800);
    expect(named(harness.collector.accepted(), 'checkout_step')).toEqual([]);
    const queued = await page.evaluate(
      (key) => JSON.parse(localStorage.getItem(key) ?? '[]').length,
      `acq_q_${WRITE_KEY}`,
    );
    expect(queued).toBe(3);

    await harness.context.setOffline(false);
    const messages = await harness.received((all) => named(all, 'checkout_step').length >= 3);
    expect(named(messages, 'checkout_step').map((m) => m.properties?.step)).toEqual([
      'cart',
      'shipping',
      'payment',
    ]);
  });

  it('keeps events tracked offline through a closed tab, for the next page load', async () => {
    const page = await harness.open('article.html');
    await harness.received((all) => all.length === 1);
    await harness.context.setOffline(true);
    await page.evaluate(() => acquaint.track('added_to_wishlist'));
    await page.close();
    await harness.context.setOffline(false);

    await harness.open('thanks.html');
    const messages = await harness.received((all) => all.some((m) => m.context.page.path === '/thanks.html'));
    expect(named(messages, 'added_to_wishlist')).toHaveLength(1);
  });

  it('delivers events tracked just before the visitor leaves the page', async () => {
    harness.site.setup.options = { debug: true, flushInterval: 60_000 };
    const page = await harness.open('article.html');
    await page.click('#buy');
    await page.waitForURL(/payment\.html/);

    const messages = await harness.received(hasEvent('cta_clicked'));
    const [clicked] = named(messages, 'cta_clicked');
    expect(clicked.properties).toEqual({ cta: 'buy' });
    expect(clicked.context.page.path).toBe('/article.html');
  });
});

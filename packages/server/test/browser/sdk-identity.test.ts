import { describe, expect, it } from 'vitest';
import './support/acquaint-in-page.js';
import { skipBrowserTests } from './support/chromium.js';
import { hasEvent, named, SdkHarness } from './support/sdk-harness.js';

describe.skipIf(skipBrowserTests)('browser SDK: identity in the browser', () => {
  const harness = new SdkHarness();
  const cookie = async (name: string) => (await harness.context.cookies()).find((c) => c.name === name);

  it('keeps the anonymous id in a first-party cookie and restores a lost cookie from localStorage', async () => {
    const page = await harness.open('article.html');
    const anonymousId = await page.evaluate(() => acquaint.getAnonymousId());
    expect(anonymousId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await cookie('acq_aid')).toMatchObject({
      value: anonymousId,
      domain: 'www.shop.test',
      sameSite: 'Lax',
    });

    await harness.context.clearCookies();
    await page.reload();
    expect(await page.evaluate(() => acquaint.getAnonymousId())).toBe(anonymousId);
    expect((await cookie('acq_aid'))?.value).toBe(anonymousId);
    const messages = await harness.received((all) => all.length === 2);
    expect(messages.map((m) => m.anonymousId)).toEqual([anonymousId, anonymousId]);
  });

  it('shares one visitor across sub-domains with the cookieDomain option', async () => {
    harness.site.setup.options = { debug: true, flushInterval: 200, cookieDomain: 'shop.test' };
    const www = await harness.open('article.html');
    const app = await harness.open('article.html', { sub: 'app' });
    const ids = await Promise.all([www, app].map((page) => page.evaluate(() => acquaint.getAnonymousId())));
    expect(ids[1]).toBe(ids[0]);
    expect((await cookie('acq_aid'))?.domain).toBe('.shop.test');
  });

  it('gives each sub-domain its own visitor without cookieDomain', async () => {
    const www = await harness.open('article.html');
    const app = await harness.open('article.html', { sub: 'app' });
    const ids = await Promise.all([www, app].map((page) => page.evaluate(() => acquaint.getAnonymousId())));
    expect(ids[1]).not.toBe(ids[0]);
  });

  it('sends the user id with every event after identify, across reloads, until reset()', async () => {
    const page = await harness.open('article.html');
    const anonymousId = await page.evaluate(() => acquaint.getAnonymousId());
    await page.fill('#login-uid', 'user-42');
    await page.click('#login');
    await harness.received((all) => all.some((m) => m.type === 'identify'));
    await page.reload();
    expect(await page.evaluate(() => acquaint.getUserId())).toBe('user-42');
    await page.evaluate(() => acquaint.track('wishlist_opened'));

    await page.click('#logout');
    expect(await page.evaluate(() => acquaint.getUserId())).toBeNull();
    const newAnonymousId = await page.evaluate(() => acquaint.getAnonymousId());
    expect(newAnonymousId).not.toBe(anonymousId);
    await page.evaluate(() => acquaint.track('browsed_after_logout'));

    const messages = await harness.received(hasEvent('browsed_after_logout'));
    expect(messages.map((m) => [m.type, m.event ?? '', m.userId, m.anonymousId === anonymousId])).toEqual([
      ['page', '', undefined, true],
      ['identify', '', 'user-42', true],
      ['page', '', 'user-42', true],
      ['track', 'wishlist_opened', 'user-42', true],
      ['track', 'browsed_after_logout', undefined, false],
    ]);
    expect(named(messages, 'browsed_after_logout')[0].anonymousId).toBe(newAnonymousId);
  });

  it('starts a new anonymous id when another user logs in without reset()', async () => {
    const page = await harness.open('article.html');
    await page.evaluate(() => acquaint.identify('user-42'));
    const first = await page.evaluate(() => acquaint.getAnonymousId());
    await page.evaluate(() => acquaint.identify('user-43'));
    const second = await page.evaluate(() => acquaint.getAnonymousId());
    expect(second).not.toBe(first);

    await page.evaluate(() => acquaint.identify('user-43', { plan: 'silver' }));
    expect(await page.evaluate(() => acquaint.getAnonymousId())).toBe(second);
  });

  it('continues a session within 30 minutes of inactivity and starts a new one after', async () => {
    await harness.context.clock.install();
    const page = await harness.open('article.html');
    await page.evaluate(() => acquaint.track('first'));
    await harness.context.clock.fastForward('29:00');
    await page.evaluate(() => acquaint.track('within_thirty_minutes'));
    await harness.context.clock.fastForward('31:00');
    await page.evaluate(() => acquaint.track('after_a_long_pause'));
    await harness.context.clock.runFor(1000);

    const messages = await harness.received(hasEvent('after_a_long_pause'));
    const session = (event: string) => named(messages, event)[0].context.sessionId;
    expect(session('within_thirty_minutes')).toBe(session('first'));
    expect(session('after_a_long_pause')).not.toBe(session('first'));
    expect(messages[0].context.sessionId).toBe(session('first'));
  });

  it('sends attribute operations as identify traits under their reserved keys', async () => {
    const page = await harness.open('article.html');
    await page.evaluate(() => {
      acquaint.identify({ plan: 'free' });
      acquaint.identify('', { newsletter: true });
      acquaint.setOnce({ first_plan: 'free' });
      acquaint.unset('coupon');
      acquaint.unset(['trial_end', 'referrer_code']);
      acquaint.increment('logins');
      acquaint.increment('points', 5);
      acquaint.increment({ points: 2 });
      acquaint.append({ viewed: 'sku-1' });
      acquaint.union({ tags: ['sports', 'golf'] });
      acquaint.remove({ tags: 'golf' });
    });
    const messages = await harness.received((all) => all.length === 12);
    expect(messages.slice(1).map((m) => [m.type, m.userId, m.traits])).toEqual(
      [
        { plan: 'free' },
        { newsletter: true },
        { $set_once: { first_plan: 'free' } },
        { $unset: ['coupon'] },
        { $unset: ['trial_end', 'referrer_code'] },
        { $increment: { logins: 1 } },
        { $increment: { points: 5 } },
        { $increment: { points: 2 } },
        { $append: { viewed: 'sku-1' } },
        { $union: { tags: ['sports', 'golf'] } },
        { $remove: { tags: ['golf'] } },
      ].map((traits) => ['identify', undefined, traits]),
    );
  });

  it('sends the identity-verification hash with every message that carries the user id', async () => {
    harness.site.setup.options = { debug: true, flushInterval: 200, userHash: 'a1'.repeat(32) };
    const page = await harness.open('article.html');
    await page.evaluate(() => {
      acquaint.identify('user-42');
      acquaint.track('verified_event');
      acquaint.identify('user-43', { plan: 'gold' }, { userHash: 'b2'.repeat(32) });
    });
    const messages = await harness.received((all) => all.length === 4);
    expect(messages.map((m) => [m.type, m.userId, m.userHash])).toEqual([
      ['page', undefined, undefined],
      ['identify', 'user-42', 'a1'.repeat(32)],
      ['track', 'user-42', 'a1'.repeat(32)],
      ['identify', 'user-43', 'b2'.repeat(32)],
    ]);
  });

  it('stops for good on opt-out, holding no id, and starts afresh on opt-in', async () => {
    const page = await harness.open('article.html');
    const anonymousId = await page.evaluate(() => acquaint.getAnonymousId());
    await harness.received((all) => all.length === 1);
    await page.evaluate(() => acquaint.optOut());
    expect(await cookie('acq_aid')).toMatchObject({ value: '' });

    await page.reload();
    await page.evaluate(() => acquaint.track('while_opted_out'));
    expect(await page.evaluate(() => [acquaint.isOptedOut(), acquaint.getAnonymousId()])).toEqual([
      true,
      null,
    ]);
    await page.waitForTimeout(600);

    await page.evaluate(() => acquaint.optIn());
    await page.evaluate(() => acquaint.track('after_opt_in'));
    const messages = await harness.received(hasEvent('after_opt_in'));
    expect(messages.map((m) => m.event ?? m.type)).toEqual(['page', 'after_opt_in']);
    expect(messages[1].anonymousId).not.toBe(anonymousId);
  });
});

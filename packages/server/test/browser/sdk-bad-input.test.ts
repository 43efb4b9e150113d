import { describe, expect, it } from 'vitest';
import './support/acquaint-in-page.js';
import { skipBrowserTests } from './support/chromium.js';
import { hasEvent, named, SdkHarness } from './support/sdk-harness.js';

describe.skipIf(skipBrowserTests)('browser SDK: bad input never breaks the host page', () => {
  const harness = new SdkHarness();

  it('refuses illegal and non-string user ids with a debug warning, and sends nothing for them', async () => {
    const page = await harness.open('article.html');
    const thrown = await page.evaluate(() => {
      const calls: (() => void)[] = [
        () => acquaint.identify('undefined', { plan: 'gold' }),
        () => acquaint.identify('null'),
        () => acquaint.identify(String({})),
        () => acquaint.identify('  "anonymous" '),
        () => acquaint.identify(true),
        () => acquaint.identify(['user-42']),
        () => acquaint.identify(() => 'user-42'),
        () => acquaint.identify(0),
        () => acquaint.identify(Number.NaN),
      ];
      return calls.flatMap((call) => {
        try {
          call();
          return [];
        } catch (error) {
          return [String(error)];
        }
      });
    });
    await page.evaluate(() => acquaint.track('still_working'));
    const messages = await harness.received(hasEvent('still_working'));

    expect(thrown).toEqual([]);
    expect(messages.map((m) => m.type)).toEqual(['page', 'track']);
    expect(messages.every((m) => m.userId === undefined)).toBe(true);
    expect(harness.warnings.filter((w) => w.includes('identify: refused the illegal user id'))).toHaveLength(
      9,
    );
  });

  it('accepts a numeric user id as a string', async () => {
    const page = await harness.open('article.html');
    await page.evaluate(() => acquaint.identify(42));
    const messages = await harness.received((all) => all.some((m) => m.type === 'identify'));
    expect(messages.find((m) => m.type === 'identify')?.userId).toBe('42');
  });

  it('sends circular and deeply nested attributes without their cycles, and huge ones without attributes', async () => {
    const page = await harness.open('article.html');
    await page.evaluate(() => {
      const profile: Record<string, unknown> = {
        email: 'ann@example.com',
        signed_up: new Date('2026-03-01T10:00:00Z'),
      };
      profile.self = profile;
      acquaint.identify('user-42', profile);
      acquaint.track('uploaded_avatar', { image: 'x'.repeat(2_000_000) });
      let deep: Record<string, unknown> = {};
      for (let i = 0; i < 100_000; i++) deep = { deeper: deep };
      acquaint.track('deep_properties', deep);
    });
    const messages = await harness.received(hasEvent('deep_properties'));

    expect(messages.find((m) => m.type === 'identify')?.traits).toEqual({
      email: 'ann@example.com',
      signed_up: '2026-03-01T10:00:00.000Z',
    });
    expect(named(messages, 'uploaded_avatar')[0].properties).toEqual({});
    expect(JSON.stringify(named(messages, 'deep_properties')[0].properties).length).toBeLessThan(200);
    expect(harness.warnings.some((w) => w.includes('dropped a circular reference'))).toBe(true);
    expect(harness.warnings.some((w) => w.includes('sent without its attributes/properties'))).toBe(true);
  });

  it('survives nonsense arguments to every method', async () => {
    const page = await harness.open('article.html');
    const thrown = await page.evaluate(() => {
      const calls: (() => void)[] = [
        () => acquaint.track(),
        () => acquaint.track(42, 'properties'),
        () => acquaint.track('', {}),
        () => acquaint.page(12, 13),
        () => acquaint.identify('user-42', 'not attributes'),
        () => acquaint.union(null),
        () => acquaint.remove(undefined),
        () => acquaint.increment(null),
        () => acquaint.unset(),
        () => acquaint.init(),
        () => acquaint.init('wk_other'),
        () => acquaint.ready('not a function' as unknown as () => void),
      ];
      return calls.flatMap((call) => {
        try {
          call();
          return [];
        } catch (error) {
          return [String(error)];
        }
      });
    });
    expect(thrown).toEqual([]);
    await page.evaluate(() => acquaint.track('still_working'));
    await harness.received(hasEvent('still_working'));
    expect(harness.warnings.some((w) => w.includes('track: an event name is required'))).toBe(true);
    expect(harness.warnings.some((w) => w.includes('init: already started'))).toBe(true);
  });
});

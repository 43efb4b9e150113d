import { describe, expect, it } from 'vitest';
import './support/acquaint-in-page.js';
import { skipBrowserTests } from './support/chromium.js';
import { SdkHarness } from './support/sdk-harness.js';

describe.skipIf(skipBrowserTests)('browser SDK: page views, referrer and campaigns', () => {
  const harness = new SdkHarness();
  const pageViews = () => harness.collector.accepted().filter((m) => m.type === 'page');

  it('records single-page-app navigations, not same-URL replaceState calls or #anchors', async () => {
    const page = await harness.open('spa.html');
    const home = harness.site.url('spa.html');
    const products = harness.site.url('app/products?sort=price');
    await page.click('#to-products');
    await page.click('#same-url');
    await page.click('#to-reviews');
    await page.goBack();
    await page.goBack();
    await harness.received((all) => all.length >= 3);
    await page.waitForTimeout(500);

    expect(
      pageViews().map((m) => [m.context.page.url, m.context.page.referrer, m.context.page.title]),
    ).toEqual([
      [home, '', 'Home – Shop app'],
      [products, home, 'Products – Shop app'],
      [home, products, 'Home – Shop app'],
    ]);
    expect(pageViews()[1].properties).toMatchObject({ path: '/app/products', search: '?sort=price' });
  });

  it('sends no automatic page views with autoPageviews: false, but page() still works', async () => {
    harness.site.setup.options = { debug: true, flushInterval: 200, autoPageviews: false };
    const page = await harness.open('spa.html');
    await page.click('#to-products');
    await page.evaluate(() => acquaint.page('Product list', { category: 'shoes' }));
    await harness.received((all) => all.length >= 1);
    await page.waitForTimeout(400);

    expect(pageViews().map((m) => [m.name, m.properties?.category, m.properties?.path])).toEqual([
      ['Product list', 'shoes', '/app/products'],
    ]);
  });

  it('captures UTM values and the referrer of the landing page on its events', async () => {
    const landing =
      'thanks.html?utm_source=newsletter&utm_medium=email&utm_campaign=spring_sale&utm_term=shoes&utm_content=hero';
    const page = await harness.open(landing, { referer: 'https://news.example.com/issue-12' });
    await page.evaluate(() => acquaint.track('coupon_copied'));
    const messages = await harness.received((all) => all.length === 2);

    for (const message of messages) {
      expect(message.context.campaign).toEqual({
        source: 'newsletter',
        medium: 'email',
        name: 'spring_sale',
        term: 'shoes',
        content: 'hero',
      });
      expect(message.context.page.referrer).toBe('https://news.example.com/issue-12');
    }
  });
});

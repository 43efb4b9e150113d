import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { snippet } from '../src/snippet.js';

/** Runs snippet HTML's script in a minimal page; returns the page's globals and the scripts it added. */
function runSnippet(html: string, page: Record<string, unknown> = {}) {
  const added: { src?: string; async?: boolean }[] = [];
  const document = { createElement: () => ({}), head: { appendChild: (el: object) => added.push(el) } };
  const window: Record<string, unknown> = { document, ...page };
  window.window = window;
  runInNewContext(html.replace(/<\/?script>/g, ''), window);
  return { window, added };
}

describe('copy-paste snippet', () => {
  const html = snippet({ writeKey: 'wk_test', host: 'https://acquaint.example.com' });

  it('loads sdk.js asynchronously from the host and queues init first', () => {
    const { window, added } = runSnippet(html);
    expect(added).toEqual([{ async: true, src: 'https://acquaint.example.com/sdk.js' }]);
    expect((window.acquaint as { _q: unknown[] })._q).toEqual([
      ['init', ['wk_test', { host: 'https://acquaint.example.com' }]],
    ]);
  });

  it('queues calls made before sdk.js loads, in order, and answers getters with null', () => {
    const { window } = runSnippet(html);
    const acquaint = window.acquaint as Record<string, (...args: unknown[]) => unknown> & { _q: unknown[] };
    acquaint.identify('user-42', { plan: 'gold' });
    acquaint.track('signed_up');
    expect(acquaint.getAnonymousId()).toBeNull();
    expect(acquaint._q.slice(1)).toEqual([
      ['identify', ['user-42', { plan: 'gold' }]],
      ['track', ['signed_up']],
    ]);
  });

  it('does nothing when the SDK is already on the page', () => {
    const init = () => 'real';
    const { window, added } = runSnippet(html, { acquaint: { init, version: '0.1.0' } });
    expect(added).toEqual([]);
    expect((window.acquaint as { init: unknown }).init).toBe(init);
  });

  it('pins a version and passes init options, escaped for a script element', () => {
    const pinned = snippet({
      writeKey: 'wk_test',
      host: 'https://acquaint.example.com',
      src: 'https://acquaint.example.com/sdk/0.1.0/acquaint.js',
      options: { cookieDomain: 'example.com', note: '</script><script>alert(1)' },
    });
    expect(pinned.match(/<\/script>/g)).toHaveLength(1);
    const { window, added } = runSnippet(pinned);
    expect(added[0].src).toBe('https://acquaint.example.com/sdk/0.1.0/acquaint.js');
    expect((window.acquaint as { _q: unknown[][] })._q[0][1]).toEqual([
      'wk_test',
      {
        host: 'https://acquaint.example.com',
        cookieDomain: 'example.com',
        note: '</script><script>alert(1)',
      },
    ]);
  });
});

describe('the SDK docs page', () => {
  it('shows the snippet exactly as the build makes it', () => {
    const docs = readFileSync(new URL('../../../docs/sdk.md', import.meta.url), 'utf8');
    const placeholders = snippet({ writeKey: 'YOUR_WRITE_KEY', host: 'https://acquaint.example.com' });
    expect(docs).toContain(placeholders);
  });
});

import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { snippet } from '@acquaint/sdk/snippet';
import { SITE_DOMAIN } from './chromium.js';

const FIXTURES = new URL('../fixtures/', import.meta.url);

/** How the pages of a fixture site load Acquaint. */
export interface SiteSetup {
  /** Origin of the Acquaint server (or of the test collector). */
  host: string;
  writeKey: string;
  /** Further init options, e.g. `{debug: true, cookieDomain: 'shop.test'}`. */
  options?: Record<string, unknown>;
}

/**
 * A customer's website for the browser tests: serves `fixtures/<page>.html` over real HTTP on
 * any `*.shop.test` host name, with the copy-paste snippet put in place of `<!-- acquaint -->`
 * and `{{host}}`, `{{writeKey}}` filled in, as a site owner would have pasted them.
 */
export class FixtureSite {
  setup: SiteSetup;
  private server: Server;

  private constructor(setup: SiteSetup) {
    this.setup = setup;
    this.server = createServer((request, response) => {
      const name = new URL(request.url ?? '/', 'http://site').pathname.replace(/^\//, '') || 'article.html';
      if (!/^[a-z-]+\.html$/.test(name)) {
        response.writeHead(404).end();
        return;
      }
      readFile(new URL(name, FIXTURES), 'utf8').then(
        (html) => {
          response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(this.render(html));
        },
        () => response.writeHead(404).end(),
      );
    });
  }

  static async start(setup: SiteSetup): Promise<FixtureSite> {
    const site = new FixtureSite(setup);
    await new Promise<void>((resolve) => site.server.listen(0, '127.0.0.1', resolve));
    return site;
  }

  /** `url('signup.html')` is `http://www.shop.test:<port>/signup.html`; `sub` picks another sub-domain. */
  url(path: string, sub = 'www'): string {
    return `http://${sub}.${SITE_DOMAIN}:${(this.server.address() as AddressInfo).port}/${path}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private render(html: string): string {
    const { host, writeKey, options } = this.setup;
    return html
      .replace('<!-- acquaint -->', snippet({ host, writeKey, options }))
      .replaceAll('{{host}}', host)
      .replaceAll('{{writeKey}}', writeKey);
  }
}

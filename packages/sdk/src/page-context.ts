import type { MessageContext } from './types.js';
import { SDK_VERSION } from './version.js';

const UTM_KEYS = ['source', 'medium', 'campaign', 'term', 'content'];

let referrer = '';
let campaign: Record<string, string> | undefined;

/** The UTM values of a query string as Segment's `context.campaign` (`utm_campaign` becomes `name`). */
export function readCampaign(search: string): Record<string, string> | undefined {
  const params = new URLSearchParams(search);
  const found: Record<string, string> = {};
  for (const key of UTM_KEYS) {
    const value = params.get(`utm_${key}`);
    if (value) found[key === 'campaign' ? 'name' : key] = value;
  }
  return Object.keys(found).length ? found : undefined;
}

/** Remembers the landing page's referrer and UTM values: they describe every event of this page load. */
export function captureLanding(): void {
  referrer = document.referrer;
  campaign = readCampaign(location.search);
}

/** After a single-page-app navigation, the previous URL is the referrer of what follows. */
export function setReferrer(url: string): void {
  referrer = url;
}

export function pageInfo(): MessageContext['page'] {
  return {
    url: location.href,
    path: location.pathname,
    referrer,
    title: document.title,
    search: location.search,
  };
}

export function messageContext(sessionId: string): MessageContext {
  return {
    page: pageInfo(),
    userAgent: navigator.userAgent,
    screen: { width: screen.width, height: screen.height },
    locale: navigator.language,
    campaign,
    library: { name: 'acquaint-js', version: SDK_VERSION },
    sessionId,
  };
}

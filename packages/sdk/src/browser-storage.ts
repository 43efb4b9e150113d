// Cookie and localStorage primitives. Each one swallows the errors browsers throw when storage is
// blocked (privacy modes, sandboxed iframes, full quota): losing persistence must never break the page.

const ONE_YEAR_SECONDS = 31536000;

export function readCookie(name: string): string | null {
  try {
    for (const pair of document.cookie.split('; ')) {
      const split = pair.indexOf('=');
      if (pair.slice(0, split) === name) return decodeURIComponent(pair.slice(split + 1));
    }
  } catch {}
  return null;
}

/** A first-party cookie for a year, on `domain` (and its sub-domains) when given, else on this host. */
export function writeCookie(name: string, value: string, domain?: string): void {
  try {
    // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is asynchronous and missing from older Safari and Firefox
    document.cookie =
      `${name}=${encodeURIComponent(value)}; path=/; max-age=${ONE_YEAR_SECONDS}; SameSite=Lax` +
      (domain ? `; domain=${domain}` : '') +
      (location.protocol === 'https:' ? '; Secure' : '');
  } catch {}
}

export function readLocal(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** Stores `value`; returns false when localStorage refused it (blocked or full). */
export function writeLocal(key: string, value: string): boolean {
  try {
    localStorage.setItem(key, value);
    return true;
  } catch {
    return false;
  }
}

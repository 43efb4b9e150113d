/** The answer to one POST: its HTTP status (0 when the network failed), Retry-After and JSON body. */
export interface PostResult {
  status: number;
  retryAfter: string | null;
  body?: { rejected?: unknown[]; warnings?: unknown[] };
}

export function byteLength(text: string): number {
  return new Blob([text]).size;
}

/**
 * POSTs a batch as `text/plain`, a CORS "simple" request that needs no preflight. `keepalive`
 * lets the request finish when the page goes away; it allows 64 KiB of bodies in flight, so
 * callers keep each body at most half of that.
 */
export async function postBatch(url: string, body: string): Promise<PostResult> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'text/plain' },
      keepalive: true,
      credentials: 'omit',
    });
    return {
      status: response.status,
      retryAfter: response.headers.get('Retry-After'),
      body: await response.json().catch(() => undefined),
    };
  } catch {
    return { status: 0, retryAfter: null };
  }
}

/** Hands a batch to the browser, which sends it even after the page has gone; false when it refused. */
export function beaconBatch(url: string, body: string): boolean {
  try {
    return navigator.sendBeacon(url, body);
  } catch {
    return false;
  }
}

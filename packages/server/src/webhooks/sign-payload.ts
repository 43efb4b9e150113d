import { createHmac } from 'node:crypto';

/**
 * The `Acquaint-Signature` header of a delivery: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
 * "<t>.<body>")>`. The secret is used as its UTF-8 text. Receivers recompute it over the raw body
 * and refuse stale `t` values (docs/webhooks.md).
 */
export function signPayload(secret: string, body: string, atMs: number): string {
  const t = Math.floor(atMs / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

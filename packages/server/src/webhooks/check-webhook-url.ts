import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { describeRefusal, refusedAddress } from './address-policy.js';

export type UrlCheck = { ok: true; url: string } | { ok: false; message: string };

/** Longest URL accepted. */
const MAX_URL_LENGTH = 2048;

/**
 * Checks a receiver's URL when a subscription is saved: http(s), no credentials in it, and every
 * address its host resolves to allowed (address-policy.ts). The sender checks the address again
 * on each connection, so a name that later resolves elsewhere (DNS rebinding) is still refused.
 */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean): Promise<UrlCheck> {
  if (raw.length > MAX_URL_LENGTH)
    return { ok: false, message: `the URL is longer than ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, message: `"${raw}" is not a URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { ok: false, message: `only http and https URLs can receive webhooks, not ${url.protocol}` };
  if (url.username || url.password)
    return { ok: false, message: 'the URL must not carry a user name or password' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      return { ok: false, message: `the host "${host}" does not resolve` };
    }
  }
  for (const address of addresses) {
    const refusal = refusedAddress(address, allowPrivate);
    if (refusal)
      return { ok: false, message: `refused: ${host} resolves to ${describeRefusal(address, refusal)}` };
  }
  return { ok: true, url: url.toString() };
}

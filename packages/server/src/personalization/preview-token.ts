import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long a preview link works. */
export const PREVIEW_TTL_MS = 24 * 3600_000;

/**
 * A preview token: `<experience id>.<variant index>.<expiry ms>.<signature>`, signed with the
 * project's identity secret, so only links the owner made through the API open a preview.
 */
export function signPreviewToken(
  secret: string,
  experienceId: string,
  variantIndex: number,
  expiresAt: number,
): string {
  const payload = `${experienceId}.${variantIndex}.${expiresAt}`;
  return `${payload}.${signature(secret, payload)}`;
}

/** The experience and variant a token previews, or null when it is forged, cut or expired. */
export function readPreviewToken(
  secret: string,
  token: unknown,
  now: number,
): { experienceId: string; variantIndex: number } | null {
  if (typeof token !== 'string' || token.length > 300) return null;
  const match = /^([A-Za-z0-9_-]+)\.(\d{1,2})\.(\d{1,15})\.([0-9a-f]{64})$/.exec(token);
  if (!match) return null;
  const [, experienceId, index, expiresAt, given] = match;
  const expected = signature(secret, `${experienceId}.${index}.${expiresAt}`);
  if (!timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(given, 'hex'))) return null;
  if (Number(expiresAt) < now) return null;
  return { experienceId, variantIndex: Number(index) };
}

function signature(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(`preview:${payload}`).digest('hex');
}

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_KEY_SCOPES = ['upload', 'query', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** A random id with a readable prefix (`prj_…`, `key_…`). */
export function newId(prefix: string, bytes = 12): string {
  return `${prefix}_${randomBytes(bytes).toString('base64url')}`;
}

/** The public key that browser code sends data with; safe to publish. */
export function newWriteKey(): string {
  return `wk_${randomBytes(18).toString('base64url')}`;
}

/** A secret API key; only its hash is stored, so it is shown once. */
export function newApiKey(): string {
  return `sk_${randomBytes(24).toString('base64url')}`;
}

/** Keys are long random strings, so a plain SHA-256 is as strong as a slow hash here. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The first characters of a key, shown in key lists so owners can tell keys apart. */
export function apiKeyPrefix(key: string): string {
  return key.slice(0, 10);
}

export function newIdentitySecret(): string {
  return randomBytes(32).toString('hex');
}

/** Identity verification (DESIGN §3 rule 10): hex HMAC-SHA256(identity secret, userId). */
export function userHashFor(secret: string, userId: string): string {
  return createHmac('sha256', secret).update(userId).digest('hex');
}

export function isValidUserHash(secret: string, userId: string, userHash: unknown): boolean {
  if (typeof userHash !== 'string' || !/^[0-9a-f]{64}$/i.test(userHash)) return false;
  const expected = Buffer.from(userHashFor(secret, userId), 'hex');
  return timingSafeEqual(expected, Buffer.from(userHash, 'hex'));
}

import { createHash, randomBytes } from 'node:crypto';
import {
  type AccountRow,
  deleteExpiredSessions,
  deleteSession,
  findAccountByEmail,
  findSession,
  insertSession,
} from '../storage/account-repository.js';
import type { Db } from '../storage/store.js';
import { normalizeEmail, passwordMatches } from './create-account.js';

/** How long a session lasts after sign-in. */
export const SESSION_TTL_MS = 7 * 24 * 3600_000;

/** What the browser holds: the session token (HttpOnly cookie) and the CSRF token it echoes. */
export interface NewSession {
  token: string;
  csrfToken: string;
  expiresAt: number;
  account: AccountRow;
}

export interface ActiveSession {
  csrfToken: string;
  account: AccountRow;
}

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
const randomToken = () => randomBytes(32).toString('base64url');

/** A fixed argon2id hash to verify against when the e-mail is unknown, so both cases take as long. */
const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$bhmtU0mPATucgRJSa4bTCg$EjqdVwqyiRb66uilCgY6BbyyzeY2O7g+Dqq8UC3jugM';

/** Starts a session of an account (after sign-up, setup or an accepted invitation). */
export async function startSession(db: Db, account: AccountRow, now = Date.now()): Promise<NewSession> {
  const token = randomToken();
  const csrfToken = randomToken();
  const expiresAt = now + SESSION_TTL_MS;
  await deleteExpiredSessions(db, now);
  await insertSession(db, {
    token_hash: sha256(token),
    account_id: account.id,
    csrf_token: csrfToken,
    created_at: now,
    expires_at: expiresAt,
  });
  return { token, csrfToken, expiresAt, account };
}

/**
 * strategy: look the account up by e-mail, verify the password against its argon2 hash (or a
 * dummy hash when there is no such account, so timing does not tell which e-mails exist), and
 * start a session only when it matches. One message for both refusals.
 */
export async function signIn(db: Db, email: string, password: string): Promise<NewSession | null> {
  const account = await findAccountByEmail(db, normalizeEmail(email) ?? '');
  const matches = await passwordMatches(account?.password_hash ?? DUMMY_HASH, password);
  if (!account || !matches) return null;
  return startSession(db, account);
}

/** The live session of a cookie token, or null (unknown, expired or signed out). */
export async function activeSession(db: Db, token: string, now = Date.now()): Promise<ActiveSession | null> {
  const found = await findSession(db, sha256(token), now);
  return found ? { csrfToken: found.csrf_token, account: found.account } : null;
}

export async function signOut(db: Db, token: string): Promise<void> {
  await deleteSession(db, sha256(token));
}

export { randomToken, sha256 };

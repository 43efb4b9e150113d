import { hash, verify } from '@node-rs/argon2';
import { newId } from '../projects/keys.js';
import { type AccountRow, insertAccount } from '../storage/account-repository.js';
import type { Db } from '../storage/store.js';
import type { Role } from './roles.js';

export const MIN_PASSWORD_LENGTH = 10;

export type AccountResult = { ok: true; account: AccountRow } | { ok: false; code: string; message: string };

/** Lower-cased, trimmed; null when it does not look like an e-mail address. */
export function normalizeEmail(email: string): string | null {
  const normalized = email.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+$/.test(normalized) && normalized.length <= 254 ? normalized : null;
}

/** argon2id with the library's defaults (19 MiB, 2 passes: OWASP's minimum). */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function passwordMatches(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** Creates an account; refuses a malformed e-mail, a short password or a taken address. */
export async function createAccount(
  db: Db,
  input: { email: string; password: string; role: Role },
  now = Date.now(),
): Promise<AccountResult> {
  const email = normalizeEmail(input.email);
  if (!email)
    return { ok: false, code: 'INVALID_EMAIL', message: 'enter an e-mail address such as ada@example.com' };
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    return {
      ok: false,
      code: 'WEAK_PASSWORD',
      message: `the password needs at least ${MIN_PASSWORD_LENGTH} characters`,
    };
  }
  const account: AccountRow = {
    id: newId('acc'),
    email,
    password_hash: await hashPassword(input.password),
    role: input.role,
    created_at: now,
  };
  if (!(await insertAccount(db, account))) {
    return { ok: false, code: 'EMAIL_TAKEN', message: `an account for ${email} already exists` };
  }
  return { ok: true, account };
}

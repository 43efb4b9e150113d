import type { AccountRow } from '../storage/account-repository.js';
import {
  countOwners,
  deleteSetupTokens,
  findSetupToken,
  insertSetupToken,
} from '../storage/account-repository.js';
import type { Store } from '../storage/store.js';
import { randomToken, sha256 } from './account-sessions.js';
import { type AccountResult, createAccount } from './create-account.js';

/** A setup link stays valid this long; `acquaint start` prints a new one on every start. */
const SETUP_TOKEN_TTL_MS = 24 * 3600_000;

/** Whether the install still has no owner account (the dashboard then shows first-run setup). */
export async function setupNeeded(store: Store): Promise<boolean> {
  return (await countOwners(store.db)) === 0;
}

/** A new one-time setup token while no owner exists (null once one does). */
export async function issueSetupToken(store: Store, now = Date.now()): Promise<string | null> {
  if (!(await setupNeeded(store))) return null;
  const token = randomToken();
  await insertSetupToken(store.db, {
    token_hash: sha256(token),
    created_at: now,
    expires_at: now + SETUP_TOKEN_TTL_MS,
  });
  return token;
}

/**
 * strategy: in one transaction, refuse when an owner exists or the token is unknown or expired,
 * create the owner, and drop every setup token, so a link works once and only before setup.
 */
export async function completeSetup(
  store: Store,
  input: { token: string; email: string; password: string },
  now = Date.now(),
): Promise<AccountResult> {
  return store.transaction(async (tx) => {
    if ((await countOwners(tx.db)) > 0) {
      return { ok: false, code: 'SETUP_DONE', message: 'this install already has an owner; sign in instead' };
    }
    if (!(await findSetupToken(tx.db, sha256(input.token), now))) {
      return {
        ok: false,
        code: 'INVALID_SETUP_TOKEN',
        message: 'the setup link is wrong or expired; use the link `acquaint start` printed',
      };
    }
    const created = await createAccount(tx.db, { ...input, role: 'owner' }, now);
    if (created.ok) await deleteSetupTokens(tx.db);
    return created;
  });
}

/** `acquaint init --owner-email --owner-password`: the owner without a setup link (scripts). */
export async function createOwner(
  store: Store,
  input: { email: string; password: string },
): Promise<AccountResult> {
  return store.transaction(async (tx) => {
    if ((await countOwners(tx.db)) > 0) {
      return { ok: false, code: 'SETUP_DONE', message: 'this install already has an owner account' };
    }
    const created = await createAccount(tx.db, { ...input, role: 'owner' });
    if (created.ok) await deleteSetupTokens(tx.db);
    return created;
  });
}

export type { AccountRow };

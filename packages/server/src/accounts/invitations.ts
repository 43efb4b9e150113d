import { newId } from '../projects/keys.js';
import { claimInvitation, insertInvitation } from '../storage/account-repository.js';
import type { Store } from '../storage/store.js';
import { randomToken, sha256 } from './account-sessions.js';
import { type AccountResult, createAccount } from './create-account.js';
import type { Role } from './roles.js';

/** An invitation link works for a week. */
const INVITATION_TTL_MS = 7 * 24 * 3600_000;

/** A new invitation; the token (for the link) is returned once and only its hash is kept. */
export async function inviteAccount(
  store: Store,
  input: { role: Exclude<Role, 'owner'>; email: string | null; createdBy: string },
  now = Date.now(),
): Promise<{ id: string; token: string; role: Role; email: string | null; expires_at: number }> {
  const token = randomToken();
  const id = newId('inv');
  await insertInvitation(store.db, {
    id,
    token_hash: sha256(token),
    role: input.role,
    email: input.email,
    created_by: input.createdBy,
    created_at: now,
    expires_at: now + INVITATION_TTL_MS,
    accepted_at: null,
  });
  return { id, token, role: input.role, email: input.email, expires_at: now + INVITATION_TTL_MS };
}

/** strategy: claim the invitation and create the account in one transaction, so a link works once. */
export async function acceptInvitation(
  store: Store,
  input: { token: string; email: string; password: string },
  now = Date.now(),
): Promise<AccountResult> {
  return store
    .transaction(async (tx): Promise<AccountResult> => {
      const invitation = await claimInvitation(tx.db, sha256(input.token), now);
      if (!invitation) {
        return {
          ok: false,
          code: 'INVALID_INVITATION',
          message: 'this invitation link is unknown, used or expired; ask for a new one',
        };
      }
      const created = await createAccount(
        tx.db,
        { email: input.email, password: input.password, role: invitation.role as Role },
        now,
      );
      if (!created.ok) throw new RefusedInvitation(created);
      return created;
    })
    .catch((error: unknown) => {
      if (error instanceof RefusedInvitation) return error.result;
      throw error;
    });
}

/** Rolls the claim back when the account cannot be created (the link stays usable). */
class RefusedInvitation extends Error {
  constructor(readonly result: AccountResult) {
    super('refused');
  }
}

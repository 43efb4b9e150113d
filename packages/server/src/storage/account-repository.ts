import type { Selectable } from 'kysely';
import type { AccountsTable, InvitationsTable } from './schema.js';
import type { Db } from './store.js';

export type AccountRow = Selectable<AccountsTable>;
export type InvitationRow = Selectable<InvitationsTable>;

export async function countOwners(db: Db): Promise<number> {
  const row = await db
    .selectFrom('accounts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Inserts an account; false when the e-mail address is already taken. */
export async function insertAccount(db: Db, account: AccountRow): Promise<boolean> {
  const result = await db
    .insertInto('accounts')
    .values(account)
    .onConflict((oc) => oc.column('email').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export async function findAccountByEmail(db: Db, email: string): Promise<AccountRow | undefined> {
  return db.selectFrom('accounts').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function listAccounts(db: Db): Promise<AccountRow[]> {
  return db.selectFrom('accounts').selectAll().orderBy('created_at').execute();
}

/** Deletes an account that is not an owner (its sessions go with it); false when none was. */
export async function deleteNonOwnerAccount(db: Db, accountId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('accounts')
    .where('id', '=', accountId)
    .where('role', '!=', 'owner')
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function insertSession(
  db: Db,
  session: {
    token_hash: string;
    account_id: string;
    csrf_token: string;
    created_at: number;
    expires_at: number;
  },
): Promise<void> {
  await db.insertInto('account_sessions').values(session).execute();
}

/** The live session with this token hash, with its account. */
export async function findSession(
  db: Db,
  tokenHash: string,
  now: number,
): Promise<{ csrf_token: string; expires_at: number; account: AccountRow } | undefined> {
  const row = await db
    .selectFrom('account_sessions as s')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .select(['s.csrf_token', 's.expires_at', 'a.id', 'a.email', 'a.password_hash', 'a.role', 'a.created_at'])
    .where('s.token_hash', '=', tokenHash)
    .where('s.expires_at', '>', now)
    .executeTakeFirst();
  if (!row) return undefined;
  const { csrf_token, expires_at, ...account } = row;
  return { csrf_token, expires_at: Number(expires_at), account };
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.deleteFrom('account_sessions').where('token_hash', '=', tokenHash).execute();
}

export async function deleteExpiredSessions(db: Db, now: number): Promise<void> {
  await db.deleteFrom('account_sessions').where('expires_at', '<=', now).execute();
}

export async function insertInvitation(db: Db, invitation: InvitationRow): Promise<void> {
  await db.insertInto('invitations').values(invitation).execute();
}

export async function listOpenInvitations(db: Db, now: number): Promise<InvitationRow[]> {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('accepted_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('created_at')
    .execute();
}

/** Marks an open invitation accepted; the row, or undefined when it is unknown, used or expired. */
export async function claimInvitation(
  db: Db,
  tokenHash: string,
  now: number,
): Promise<InvitationRow | undefined> {
  const invitation = await db
    .selectFrom('invitations')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('accepted_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (!invitation) return undefined;
  const result = await db
    .updateTable('invitations')
    .set({ accepted_at: now })
    .where('id', '=', invitation.id)
    .where('accepted_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0 ? invitation : undefined;
}

export async function deleteInvitation(db: Db, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('invitations')
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function insertSetupToken(
  db: Db,
  token: { token_hash: string; created_at: number; expires_at: number },
): Promise<void> {
  await db.insertInto('setup_tokens').values(token).execute();
}

export async function findSetupToken(db: Db, tokenHash: string, now: number): Promise<boolean> {
  const row = await db
    .selectFrom('setup_tokens')
    .select('token_hash')
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteSetupTokens(db: Db): Promise<void> {
  await db.deleteFrom('setup_tokens').execute();
}

import type { Insertable, Selectable } from 'kysely';
import type { ApiKeyScope } from '../projects/keys.js';
import type { ApiKeysTable, ProjectsTable } from './schema.js';
import type { Db } from './store.js';

export type ProjectRow = Selectable<ProjectsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;

export async function insertProject(db: Db, project: Insertable<ProjectsTable>): Promise<void> {
  await db.insertInto('projects').values(project).execute();
}

export async function findProjectByWriteKey(db: Db, writeKey: string): Promise<ProjectRow | undefined> {
  return db.selectFrom('projects').selectAll().where('write_key', '=', writeKey).executeTakeFirst();
}

export async function findProject(db: Db, projectId: string): Promise<ProjectRow | undefined> {
  return db.selectFrom('projects').selectAll().where('id', '=', projectId).executeTakeFirst();
}

export async function listProjects(db: Db): Promise<ProjectRow[]> {
  return db.selectFrom('projects').selectAll().orderBy('created_at').execute();
}

export async function updateProjectSettings(
  db: Db,
  projectId: string,
  settings: { verify_identity?: number; name?: string; timezone?: string; allow_scripts?: number },
) {
  await db.updateTable('projects').set(settings).where('id', '=', projectId).execute();
}

/** Replaces a project's write key or identity secret (a rotation). */
export async function replaceProjectKey(
  db: Db,
  projectId: string,
  key: { write_key: string } | { identity_secret: string },
): Promise<void> {
  await db.updateTable('projects').set(key).where('id', '=', projectId).execute();
}

export async function insertApiKey(
  db: Db,
  key: Omit<ApiKeyRow, 'scopes'> & { scopes: ApiKeyScope[] },
): Promise<void> {
  await db
    .insertInto('api_keys')
    .values({ ...key, scopes: key.scopes.join(',') })
    .execute();
}

/** The live (not revoked) key with this hash. Never cached, so a revocation holds at once everywhere. */
export async function findLiveApiKey(db: Db, keyHash: string): Promise<ApiKeyRow | undefined> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('key_hash', '=', keyHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function listApiKeys(db: Db, projectId: string): Promise<ApiKeyRow[]> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('created_at')
    .execute();
}

export async function markApiKeyUsed(db: Db, keyId: string, at: number): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', keyId).execute();
}

/** Revokes a key of this project; false when the project has no such live key. */
export async function revokeApiKey(db: Db, projectId: string, keyId: string, at: number): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('project_id', '=', projectId)
    .where('id', '=', keyId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function appendAuditLog(
  db: Db,
  entry: { projectId: string; at: number; actor: string; action: string; details: unknown },
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      project_id: entry.projectId,
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
      details: JSON.stringify(entry.details),
    })
    .execute();
}

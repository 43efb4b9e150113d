import { insertApiKey, insertProject } from '../storage/project-repository.js';
import type { Store } from '../storage/store.js';
import {
  API_KEY_SCOPES,
  type ApiKeyScope,
  apiKeyPrefix,
  hashApiKey,
  newApiKey,
  newId,
  newIdentitySecret,
  newWriteKey,
} from './keys.js';

export interface CreatedProject {
  project_id: string;
  name: string;
  write_key: string;
  /** Secret key with every scope; shown only now. */
  api_key: string;
  identity_secret: string;
}

/** Creates a project with its write key and a first secret API key holding every scope. */
export async function createProject(store: Store, name: string, now = Date.now()): Promise<CreatedProject> {
  const projectId = newId('prj');
  const writeKey = newWriteKey();
  const identitySecret = newIdentitySecret();
  const apiKey = await store.transaction(async (tx) => {
    await insertProject(tx.db, {
      id: projectId,
      name,
      write_key: writeKey,
      identity_secret: identitySecret,
      verify_identity: 0,
      created_at: now,
    });
    return (await createApiKey(tx.db, projectId, 'default', [...API_KEY_SCOPES], now)).key;
  });
  return {
    project_id: projectId,
    name,
    write_key: writeKey,
    api_key: apiKey,
    identity_secret: identitySecret,
  };
}

/** Creates a secret API key; the key itself is returned once and only its hash is kept. */
export async function createApiKey(
  db: Store['db'],
  projectId: string,
  name: string,
  scopes: ApiKeyScope[],
  now = Date.now(),
): Promise<{ id: string; key: string; prefix: string }> {
  const key = newApiKey();
  const id = newId('key');
  await insertApiKey(db, {
    id,
    project_id: projectId,
    name,
    prefix: apiKeyPrefix(key),
    key_hash: hashApiKey(key),
    scopes,
    created_at: now,
    last_used_at: null,
    revoked_at: null,
  });
  return { id, key, prefix: apiKeyPrefix(key) };
}

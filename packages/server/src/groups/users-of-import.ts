import { findImportJob, loadJobChunkPersons } from '../storage/import-job-repository.js';
import { findUserIdsOfPersons } from '../storage/import-user-ids.js';
import type { Db } from '../storage/store.js';
import { type Checked, refuse } from './group-input.js';

/** Chunks of a job read at a time. */
const CHUNKS_PER_READ = 20;

/**
 * The user ids an import job wrote ("the users of import X", DESIGN §4), for a static group made
 * from it. A job still running, or a dry run (which writes nothing), has no users to take yet.
 */
export async function usersOfImport(db: Db, projectId: string, importId: string): Promise<Checked<string[]>> {
  const job = await findImportJob(db, projectId, importId);
  if (!job) return refuse('UNKNOWN_REFERENCE', `no import job "${importId}" in this project`, '/import_id');
  if (job.dry_run) {
    return refuse('INVALID_BODY', `import job "${importId}" was a dry run and wrote no users`, '/import_id');
  }
  if (job.status === 'pending' || job.status === 'running') {
    return refuse(
      'IMPORT_NOT_FINISHED',
      `import job "${importId}" is ${job.status}; wait until it ends`,
      '/import_id',
    );
  }
  const userIds: string[] = [];
  for (let after = 0; ; ) {
    const chunks = await loadJobChunkPersons(db, job.id, after, CHUNKS_PER_READ);
    for (const chunk of chunks) userIds.push(...(await findUserIdsOfPersons(db, projectId, chunk.personIds)));
    if (chunks.length < CHUNKS_PER_READ) return { ok: true, value: userIds };
    after = chunks[chunks.length - 1].seq;
  }
}

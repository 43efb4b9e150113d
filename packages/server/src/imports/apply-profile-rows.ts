import { applyAttributeOperation, type StoredAttribute } from '../attributes/apply-attribute-operation.js';
import { userIdLock } from '../identity/identity-graph.js';
import {
  type AttributeSighting,
  type PersonAttribute,
  recordAttributeSightings,
} from '../storage/attribute-repository.js';
import type { StoreTx } from '../storage/store.js';
import type { ImportColumn } from './column-types.js';
import type { ValidProfileRow } from './read-profile-row.js';

/** What writing a chunk of rows did. */
export interface AppliedRows {
  created: number;
  updated: number;
  unchanged: number;
  /** The persons written, once each, in first-row order ("the users of this import"). */
  personIds: number[];
}

/**
 * Writes valid rows in the caller's transaction, upserting on user id.
 * strategy: follow the identity writers' lock order (DESIGN §3 rule 12): lock the user ids, then
 * read and row-lock the persons holding them; create the missing ones as imported and not bound
 * (a website visit binds them later) and mark existing ones imported. Then read the stored values
 * of the chunk's attributes and apply each row's writes in file order, last writer wins at the
 * import's time `at` (rule 7: a later row of the same user wins the tie; newer live traffic is
 * kept). Only changed values are written. No side effects outside the database: the transaction
 * may be retried whole.
 */
export async function applyProfileRows(
  tx: StoreTx,
  projectId: string,
  rows: readonly ValidProfileRow[],
  columns: readonly ImportColumn[],
  at: number,
): Promise<AppliedRows> {
  const userIds = [...new Set(rows.map((r) => r.userId))];
  await tx.lockKeys(userIds.map((id) => userIdLock(projectId, id)));
  const existing = await tx.profiles.lockPersonsByUserIds(projectId, userIds);
  const personOf = new Map(existing.map((p) => [p.userId, p.id]));
  const missing = userIds.filter((id) => !personOf.has(id));
  const createdIds = await tx.profiles.insertImportedPersons(projectId, missing, at);
  for (const [i, userId] of missing.entries()) personOf.set(userId, createdIds[i]);
  const firstImport = existing.filter((p) => p.importedAt === null).map((p) => p.id);
  if (firstImport.length > 0) await tx.profiles.markImported(firstImport, at);

  const names = columns.map((c) => c.name);
  const stored =
    existing.length > 0 && names.length > 0
      ? await tx.profiles.loadAttributes(
          existing.map((p) => p.id),
          names,
        )
      : [];
  const key = (personId: number, name: string) => `${personId}\u0000${name}`;
  const current = new Map<string, StoredAttribute>(stored.map((a) => [key(a.personId, a.name), a]));
  const changed = new Map<string, PersonAttribute>();
  const fresh = new Set(createdIds);
  const result: AppliedRows = { created: 0, updated: 0, unchanged: 0, personIds: [] };
  const written = new Set<number>();
  const setNames = new Set<string>();

  for (const row of rows) {
    const personId = personOf.get(row.userId) as number;
    if (fresh.has(personId) && !written.has(personId)) {
      // First row of a new person: nothing stored to compare with, every value is written.
      written.add(personId);
      result.personIds.push(personId);
      result.created += 1;
      for (const write of row.writes) {
        if (write.value === null) continue;
        setNames.add(write.name);
        const next = { value: write.value, updatedAt: at };
        current.set(key(personId, write.name), next);
        changed.set(key(personId, write.name), { personId, name: write.name, ...next });
      }
      continue;
    }
    let rowChanged = false;
    for (const write of row.writes) {
      if (write.value !== null) setNames.add(write.name);
      const k = key(personId, write.name);
      const next = applyAttributeOperation(
        current.get(k),
        write.value === null
          ? { op: 'unset', name: write.name }
          : { op: 'set', name: write.name, value: write.value },
        at,
      );
      if (next === null || sameValue(current.get(k), next)) continue;
      current.set(k, next);
      changed.set(k, { personId, name: write.name, ...next });
      rowChanged = true;
    }
    if (!written.has(personId)) {
      written.add(personId);
      result.personIds.push(personId);
    }
    if (rowChanged) result.updated += 1;
    else result.unchanged += 1;
  }

  await tx.profiles.saveAttributes(projectId, [...changed.values()]);
  const sightings: AttributeSighting[] = columns
    .filter((c) => setNames.has(c.name))
    .map((c) => ({ name: c.name, inferredType: c.type, source: 'import', at }));
  await recordAttributeSightings(tx.db, projectId, sightings);
  return result;
}

/** A write that leaves the same value in place is not a change (a re-run of a file is a no-op). */
function sameValue(before: StoredAttribute | undefined, after: StoredAttribute): boolean {
  if (before === undefined) return false;
  return JSON.stringify(before.value) === JSON.stringify(after.value);
}

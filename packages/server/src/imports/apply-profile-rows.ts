import { applyAttributeOperation, type StoredAttribute } from '../attributes/apply-attribute-operation.js';
import type { AttributeValue } from '../attributes/attribute-operation.js';
import { userIdLock } from '../identity/identity-graph.js';
import { withHolderCounts } from '../storage/attribute-holder-counts.js';
import {
  type AttributeSighting,
  type PersonAttribute,
  recordAttributeSightings,
} from '../storage/attribute-repository.js';
import type { AttributeWrites } from '../storage/profile-bulk-writer.js';
import { admitPendingMembers } from '../storage/static-member-repository.js';
import type { StoreTx } from '../storage/store.js';
import { ChangeOutbox } from '../webhooks/change-outbox.js';
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

/** How a chunk is written: what the caller knows of its rows, and a buffer to reuse. */
export interface ApplyOptions {
  /** No user id appears twice among the rows (the caller checked): enables the new-persons path. */
  distinctIds?: boolean;
  /** The attribute writes' buffer, reused chunk after chunk (its arrays keep their capacity). */
  writes?: AttributeWrites;
}

/** An empty attribute-writes buffer, for `ApplyOptions.writes`. */
export function attributeWritesBuffer(): AttributeWrites {
  return { at: 0, count: 0, personIds: [], names: [], values: [] };
}

/**
 * Writes valid rows in the caller's transaction, upserting on user id.
 * strategy: follow the identity writers' lock order (DESIGN §3 rule 12): lock the user ids, then
 * read and row-lock the persons holding them; create the missing ones as imported and not bound
 * (a website visit binds them later) and mark existing ones imported. Then read the stored values
 * of the chunk's attributes and apply each row's writes in file order, last writer wins at the
 * import's time `at` (rule 7: a later row of the same user wins the tie; newer live traffic is
 * kept). Only changed values are written. A chunk of distinct ids none of which exists yet (the
 * bulk of a first import) skips all of that: row i is the i-th person created, and its values
 * are written as they are. Changes of attributes a webhook watches go to the outbox, in this
 * transaction. No side effects outside the database: the transaction may be retried whole.
 */
export async function applyProfileRows(
  tx: StoreTx,
  projectId: string,
  rows: readonly ValidProfileRow[],
  columns: readonly ImportColumn[],
  at: number,
  options: ApplyOptions = {},
): Promise<AppliedRows> {
  const writes = options.writes ?? attributeWritesBuffer();
  writes.at = at;
  writes.count = 0;
  // Rows per user id, in first-row order (counted only when ids may repeat).
  let rowsOf: Map<string, number> | null = null;
  let userIds: string[];
  if (options.distinctIds) userIds = rows.map((r) => r.userId);
  else {
    rowsOf = new Map<string, number>();
    for (const row of rows) rowsOf.set(row.userId, (rowsOf.get(row.userId) ?? 0) + 1);
    userIds = [...rowsOf.keys()];
  }
  // Writers on SQLite are serialised: its locks are no-ops, not worth a key per row.
  if (tx.capabilities.concurrentWriters) await tx.lockKeys(userIds.map((id) => userIdLock(projectId, id)));
  const existing = await tx.profiles.lockPersonsByUserIds(projectId, userIds);
  const outbox = await ChangeOutbox.open(tx, projectId);
  if (rowsOf === null && existing.length === 0) {
    const createdIds = await tx.profiles.insertImportedPersons(projectId, userIds, at);
    await admitPendingMembers(tx.db, projectId, userIds);
    const applied = await writeNewPersons(tx, projectId, rows, columns, createdIds, writes);
    for (const id of createdIds) outbox.touched(id, { all: true });
    await noteChanges(outbox, writes, new Map());
    return applied;
  }
  rowsOf ??= new Map(userIds.map((id) => [id, 1]));
  const personOf = new Map(existing.map((p) => [p.userId, p.id]));
  const missing = userIds.filter((id) => !personOf.has(id));
  const createdIds = await tx.profiles.insertImportedPersons(projectId, missing, at);
  await admitPendingMembers(tx.db, projectId, missing);
  for (const [i, userId] of missing.entries()) personOf.set(userId, createdIds[i]);
  const firstImport = existing.filter((p) => p.importedAt === null).map((p) => p.id);
  if (firstImport.length > 0) await tx.profiles.markImported(firstImport, at);
  // New persons, and persons imported for the first time, may enter any group.
  for (const id of [...createdIds, ...firstImport]) outbox.touched(id, { all: true });

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
  const before = new Map(current);
  const changed = new Map<string, PersonAttribute>();
  const fresh = new Set(createdIds);
  const result: AppliedRows = { created: 0, updated: 0, unchanged: 0, personIds: [] };
  const written = new Set<number>();
  const setColumns = new Array<boolean>(columns.length).fill(false);
  const order = nameOrder(columns);

  for (const row of rows) {
    const personId = personOf.get(row.userId) as number;
    const isFresh = fresh.has(personId);
    if (isFresh && rowsOf.get(row.userId) === 1) {
      // The only row of a new person: every value is written, nothing to compare.
      result.personIds.push(personId);
      result.created += 1;
      addValues(writes, personId, row, columns, order, setColumns);
      continue;
    }
    if (isFresh && !written.has(personId)) {
      // First row of a new person: nothing stored to compare with, every value is written.
      written.add(personId);
      result.personIds.push(personId);
      result.created += 1;
      for (const [c, name] of names.entries()) {
        const value = row.values[c];
        if (value === undefined || value === null) continue;
        setColumns[c] = true;
        const next = { value, updatedAt: at };
        current.set(key(personId, name), next);
        changed.set(key(personId, name), { personId, name, ...next });
      }
      continue;
    }
    let rowChanged = false;
    for (const [c, name] of names.entries()) {
      const value = row.values[c];
      if (value === undefined) continue;
      if (value !== null) setColumns[c] = true;
      const k = key(personId, name);
      const next = applyAttributeOperation(
        current.get(k),
        value === null ? { op: 'unset', name } : { op: 'set', name, value },
        at,
      );
      if (next === null || sameValue(current.get(k), next)) continue;
      current.set(k, next);
      changed.set(k, { personId, name, ...next });
      rowChanged = true;
    }
    if (!written.has(personId)) {
      written.add(personId);
      result.personIds.push(personId);
    }
    if (rowChanged) result.updated += 1;
    else result.unchanged += 1;
  }

  for (const attribute of changed.values()) {
    // set and unset (all an import does) take the import's time.
    const i = writes.count++;
    writes.personIds[i] = attribute.personId;
    writes.names[i] = attribute.name;
    writes.values[i] = attribute.value === undefined ? null : attributeJson(attribute.value);
  }
  await saveWrites(
    tx,
    projectId,
    columns,
    writes,
    setColumns,
    (personId, name) => before.get(key(personId, name))?.value !== undefined,
  );
  await noteChanges(outbox, writes, before);
  return result;
}

/**
 * Tells the webhook outbox of the values written under watched names (`before`: the stored
 * values they replace, by `personId\0name`), then writes its deliveries.
 */
async function noteChanges(
  outbox: ChangeOutbox,
  writes: AttributeWrites,
  before: ReadonlyMap<string, StoredAttribute>,
): Promise<void> {
  if (outbox.watchesAttributes) {
    for (let i = 0; i < writes.count; i++) {
      const name = writes.names[i];
      if (!outbox.names.has(name)) continue;
      const personId = writes.personIds[i];
      const value = writes.values[i];
      const current = value === null ? undefined : (JSON.parse(value) as AttributeValue);
      outbox.changed(personId, name, before.get(`${personId}\u0000${name}`)?.value, current, writes.at);
    }
  }
  await outbox.flush();
}

/** Rows of new persons, one each (row i made person `personIds[i]`): every value is written. */
async function writeNewPersons(
  tx: StoreTx,
  projectId: string,
  rows: readonly ValidProfileRow[],
  columns: readonly ImportColumn[],
  personIds: number[],
  writes: AttributeWrites,
): Promise<AppliedRows> {
  const setColumns = new Array<boolean>(columns.length).fill(false);
  const order = nameOrder(columns);
  for (let r = 0; r < rows.length; r++) addValues(writes, personIds[r], rows[r], columns, order, setColumns);
  await saveWrites(tx, projectId, columns, writes, setColumns, null);
  return { created: rows.length, updated: 0, unchanged: 0, personIds };
}

/** Adds the values a row sets (not those it unsets: a new person has none) to `writes`. */
function addValues(
  writes: AttributeWrites,
  personId: number,
  row: ValidProfileRow,
  columns: readonly ImportColumn[],
  order: readonly number[],
  setColumns: boolean[],
): void {
  const { personIds, names, values } = writes;
  for (const c of order) {
    const value = row.values[c];
    if (value === undefined || value === null) continue;
    setColumns[c] = true;
    const i = writes.count++;
    personIds[i] = personId;
    names[i] = columns[c].name;
    values[i] = attributeJson(value);
  }
}

/** Column indexes in name order, so a new person's values go in in key order (B-tree appends). */
function nameOrder(columns: readonly ImportColumn[]): number[] {
  return columns
    .map((_, c) => c)
    .sort((a, b) => (columns[a].name < columns[b].name ? -1 : columns[a].name > columns[b].name ? 1 : 0));
}

/**
 * Writes `writes` and records the columns' sightings. `held` says whether a person held a value of
 * a name before (from the values read for the chunk); null: only new persons are written. The
 * holder counts of what is written are added set-based (see attribute-holder-counts.ts).
 */
async function saveWrites(
  tx: StoreTx,
  projectId: string,
  columns: readonly ImportColumn[],
  writes: AttributeWrites,
  setColumns: boolean[],
  held: ((personId: number, name: string) => boolean) | null,
): Promise<void> {
  if (writes.count > 0) {
    await withHolderCounts(tx, projectId, async (counts) => {
      if (held === null) await tx.profiles.insertNewAttributes(projectId, writes);
      else await tx.profiles.saveAttributes(projectId, writes);
      if (counts === null) return;
      const { personIds, names, values } = writes;
      for (let i = 0; i < writes.count; i++) {
        const personId = personIds[i];
        counts.change(personId, names[i], held?.(personId, names[i]) ?? false, values[i] !== null);
      }
    });
  }
  const sightings: AttributeSighting[] = columns
    .filter((_, c) => setColumns[c])
    .map((c) => ({ name: c.name, inferredType: c.type, source: 'import', at: writes.at }));
  await recordAttributeSightings(tx.db, projectId, sightings);
}

/** Characters JSON.stringify escapes in a string (lone surrogates included, since ES2019). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what JSON escapes.
const JSON_ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * The stored form of a value: JSON.stringify's text exactly, without its general machinery for
 * the common scalars (an import stores millions).
 */
export function attributeJson(value: AttributeValue): string {
  if (typeof value === 'string') return JSON_ESCAPED.test(value) ? JSON.stringify(value) : `"${value}"`;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return JSON.stringify(value);
}

/** A write that leaves the same value in place is not a change (a re-run of a file is a no-op). */
function sameValue(before: StoredAttribute | undefined, after: StoredAttribute): boolean {
  if (before === undefined) return false;
  return JSON.stringify(before.value) === JSON.stringify(after.value);
}

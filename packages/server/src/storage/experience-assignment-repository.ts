import type { Selectable } from 'kysely';
import { PreparedQuery, param } from './prepared-query.js';
import type { ExperienceAssignmentsTable } from './schema.js';
import type { Db, StoreTx } from './store.js';

export type AssignmentRow = Selectable<ExperienceAssignmentsTable>;

/** Prepared reads of the assignments of one person and of two (the user's and the device's). */
const assignmentsOf = [
  new PreparedQuery<{ a: number; b?: number }, AssignmentRow>((db) =>
    db.selectFrom('experience_assignments').selectAll().where('person_id', '=', param('a')),
  ),
  new PreparedQuery<{ a: number; b?: number }, AssignmentRow>((db) =>
    db
      .selectFrom('experience_assignments')
      .selectAll()
      .where('person_id', 'in', [param<number>('a'), param<number>('b')]),
  ),
];

/** The assignments these persons hold (at most two persons: the user's and the device's). */
export async function loadAssignments(db: Db, personIds: number[]): Promise<AssignmentRow[]> {
  if (personIds.length === 0) return [];
  if (personIds.length > 2) throw new Error('loadAssignments reads at most two persons');
  const rows = await assignmentsOf[personIds.length - 1].execute(db, { a: personIds[0], b: personIds[1] });
  return rows.map(numericAssignment);
}

/** An assignment row with its bigint columns as numbers (whatever the driver gave). */
export function numericAssignment(row: AssignmentRow): AssignmentRow {
  return {
    ...row,
    person_id: Number(row.person_id),
    assigned_at: Number(row.assigned_at),
    last_shown_at: Number(row.last_shown_at),
  };
}

const ASSIGNMENT_KEY: (keyof ExperienceAssignmentsTable & string)[] = ['person_id', 'experience_id'];

/**
 * Records what decide answered: a first assignment is inserted; a later answer only moves
 * `last_shown_at` and `last_session_id` (and the variant, when the old one was removed from the
 * experience). Two decides racing for a first assignment keep the first one written. Written
 * through the backend's row writer (SQLite: one prepared statement a row; PostgreSQL: one
 * multi-row statement for those keeping their variant and one for those replacing it).
 */
export async function recordAssignments(
  tx: StoreTx,
  rows: (AssignmentRow & { replaceVariant: boolean })[],
): Promise<void> {
  for (const replaceVariant of [false, true]) {
    const values = rows
      .filter((row) => row.replaceVariant === replaceVariant)
      .map(({ replaceVariant: _, ...row }) => row);
    // A statement may not touch a row twice (PostgreSQL): a key repeated, by two decides of the
    // same person written together, goes to a later statement, in the order they came.
    for (const round of roundsOfDistinctKeys(values)) {
      await tx.writeRows({
        table: 'experience_assignments',
        rows: round,
        conflict: {
          columns: ASSIGNMENT_KEY,
          update: replaceVariant
            ? ['last_shown_at', 'last_session_id', 'variant', 'assigned_at']
            : ['last_shown_at', 'last_session_id'],
        },
      });
    }
  }
}

function roundsOfDistinctKeys(rows: AssignmentRow[]): AssignmentRow[][] {
  const rounds: { keys: Set<string>; rows: AssignmentRow[] }[] = [];
  for (const row of rows) {
    const key = `${row.person_id} ${row.experience_id}`;
    let round = rounds.find((r) => !r.keys.has(key));
    if (!round) {
      round = { keys: new Set(), rows: [] };
      rounds.push(round);
    }
    round.keys.add(key);
    round.rows.push(row);
  }
  return rounds.map((r) => r.rows);
}

/**
 * On a merge (DESIGN §4): the survivor keeps the assignments it has; those it lacks carry over
 * from the merged person, so a visitor who signs in keeps what they were shown.
 */
export async function moveAssignmentsOnMerge(db: Db, survivorId: number, mergedId: number): Promise<void> {
  const carried = await db
    .selectFrom('experience_assignments as m')
    .selectAll('m')
    .where('m.person_id', '=', mergedId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('experience_assignments as s')
            .select('s.experience_id')
            .where('s.person_id', '=', survivorId)
            .whereRef('s.experience_id', '=', 'm.experience_id'),
        ),
      ),
    )
    .execute();
  if (carried.length > 0) {
    await db
      .insertInto('experience_assignments')
      .values(carried.map((row) => ({ ...row, person_id: survivorId })))
      .execute();
  }
  await db.deleteFrom('experience_assignments').where('person_id', '=', mergedId).execute();
}

/** Erasure: a deleted person's assignments go with it. */
export async function deleteAssignmentsOfPerson(db: Db, personId: number): Promise<void> {
  await db.deleteFrom('experience_assignments').where('person_id', '=', personId).execute();
}

/** The experiences decide has shown a person (their sticky assignments), last shown first. */
export async function experiencesShownToPerson(db: Db, projectId: string, personId: number) {
  const rows = await db
    .selectFrom('experience_assignments as a')
    .innerJoin('experiences as e', 'e.id', 'a.experience_id')
    .select(['e.id', 'e.name', 'e.type', 'e.status', 'a.variant', 'a.assigned_at', 'a.last_shown_at'])
    .where('a.project_id', '=', projectId)
    .where('a.person_id', '=', personId)
    .orderBy('a.last_shown_at', 'desc')
    .execute();
  return rows.map((row) => ({
    ...row,
    assigned_at: Number(row.assigned_at),
    last_shown_at: Number(row.last_shown_at),
  }));
}

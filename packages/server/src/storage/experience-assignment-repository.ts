import type { Selectable } from 'kysely';
import type { ExperienceAssignmentsTable } from './schema.js';
import type { Db, StoreTx } from './store.js';

export type AssignmentRow = Selectable<ExperienceAssignmentsTable>;

/** The assignments these persons hold (at most two persons: the user's and the device's). */
export async function loadAssignments(db: Db, personIds: number[]): Promise<AssignmentRow[]> {
  if (personIds.length === 0) return [];
  const rows = await db
    .selectFrom('experience_assignments')
    .selectAll()
    .where('person_id', 'in', personIds)
    .execute();
  return rows.map((row) => ({
    ...row,
    person_id: Number(row.person_id),
    assigned_at: Number(row.assigned_at),
    last_shown_at: Number(row.last_shown_at),
  }));
}

/**
 * Records what decide answered: a first assignment is inserted; a later answer only moves
 * `last_shown_at` and `last_session_id` (and the variant, when the old one was removed from the
 * experience). Two decides racing for a first assignment keep the first one written.
 */
export async function recordAssignments(
  tx: StoreTx,
  rows: (AssignmentRow & { replaceVariant: boolean })[],
): Promise<void> {
  // One statement for the rows that keep their variant and one for those replacing it.
  for (const replaceVariant of [false, true]) {
    const values = rows
      .filter((row) => row.replaceVariant === replaceVariant)
      .map(({ replaceVariant: _, ...row }) => row);
    if (values.length === 0) continue;
    await tx.db
      .insertInto('experience_assignments')
      .values(values)
      .onConflict((oc) =>
        oc.columns(['person_id', 'experience_id']).doUpdateSet((eb) => ({
          last_shown_at: eb.ref('excluded.last_shown_at'),
          last_session_id: eb.ref('excluded.last_session_id'),
          ...(replaceVariant
            ? { variant: eb.ref('excluded.variant'), assigned_at: eb.ref('excluded.assigned_at') }
            : {}),
        })),
      )
      .execute();
  }
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

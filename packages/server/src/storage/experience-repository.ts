import type { Selectable } from 'kysely';
import type { Experience, ExperienceSettings, ExperienceStatus } from '../personalization/experience.js';
import { afterKey } from './keyset.js';
import type { ExperiencesTable } from './schema.js';
import type { Db } from './store.js';

type ExperienceRow = Selectable<ExperiencesTable>;

/** The parts of an experience that are not columns of their own. */
type Definition = Pick<
  ExperienceSettings,
  'pages' | 'target' | 'variants' | 'control_weight' | 'goal' | 'frequency'
>;

function toExperience(row: ExperienceRow): Experience {
  const definition = (
    typeof row.definition === 'string' ? JSON.parse(row.definition) : row.definition
  ) as Definition;
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    type: row.type as Experience['type'],
    status: row.status as ExperienceStatus,
    priority: Number(row.priority),
    starts_at: row.starts_at === null ? null : Number(row.starts_at),
    ends_at: row.ends_at === null ? null : Number(row.ends_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    publishedAt: row.published_at === null ? null : Number(row.published_at),
    ...definition,
  };
}

function columnsOf(settings: ExperienceSettings) {
  const definition: Definition = {
    pages: settings.pages,
    target: settings.target,
    variants: settings.variants,
    control_weight: settings.control_weight,
    goal: settings.goal,
    frequency: settings.frequency,
  };
  return {
    name: settings.name,
    type: settings.type,
    priority: settings.priority,
    starts_at: settings.starts_at,
    ends_at: settings.ends_at,
    definition: JSON.stringify(definition),
  };
}

export async function insertExperience(
  db: Db,
  experience: { id: string; projectId: string; settings: ExperienceSettings; now: number },
): Promise<Experience> {
  const row = await db
    .insertInto('experiences')
    .values({
      id: experience.id,
      project_id: experience.projectId,
      status: 'draft',
      ...columnsOf(experience.settings),
      created_at: experience.now,
      updated_at: experience.now,
      published_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toExperience(row);
}

export async function findExperience(db: Db, projectId: string, id: string): Promise<Experience | undefined> {
  const row = await db
    .selectFrom('experiences')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toExperience(row);
}

/** A page of the project's experiences, newest first, after the `after` position. */
export async function listExperiences(
  db: Db,
  projectId: string,
  page: { limit: number; after?: { createdAt: number; id: string } },
): Promise<Experience[]> {
  let query = db.selectFrom('experiences').selectAll().where('project_id', '=', projectId);
  const after = page.after;
  if (after) query = query.where(afterKey('created_at', { first: after.createdAt, id: after.id }, 'desc'));
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).execute();
  return rows.map(toExperience);
}

/** Every experience of the project, whatever its status (to find those that use a group). */
export async function allExperiences(db: Db, projectId: string): Promise<Experience[]> {
  const rows = await db.selectFrom('experiences').selectAll().where('project_id', '=', projectId).execute();
  return rows.map(toExperience);
}

export async function countExperiences(db: Db, projectId: string): Promise<number> {
  const row = await db
    .selectFrom('experiences')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('project_id', '=', projectId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The published experiences of a project, as decide reads them. */
export async function listPublishedExperiences(db: Db, projectId: string): Promise<Experience[]> {
  const rows = await db
    .selectFrom('experiences')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('status', '=', 'published')
    .execute();
  return rows.map(toExperience);
}

export async function updateExperienceSettings(
  db: Db,
  projectId: string,
  id: string,
  settings: ExperienceSettings,
  now: number,
): Promise<void> {
  await db
    .updateTable('experiences')
    .set({ ...columnsOf(settings), updated_at: now })
    .where('project_id', '=', projectId)
    .where('id', '=', id)
    .execute();
}

export async function setExperienceStatus(
  db: Db,
  projectId: string,
  id: string,
  status: ExperienceStatus,
  now: number,
): Promise<void> {
  await db
    .updateTable('experiences')
    .set(
      status === 'published' ? { status, updated_at: now, published_at: now } : { status, updated_at: now },
    )
    .where('project_id', '=', projectId)
    .where('id', '=', id)
    .execute();
}

/** Deletes an experience and its assignments; false when the project has no such experience. */
export async function deleteExperience(db: Db, projectId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('experiences')
    .where('project_id', '=', projectId)
    .where('id', '=', id)
    .executeTakeFirst();
  await db
    .deleteFrom('experience_assignments')
    .where('project_id', '=', projectId)
    .where('experience_id', '=', id)
    .execute();
  return Number(result.numDeletedRows) > 0;
}

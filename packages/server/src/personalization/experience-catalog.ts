import { newId } from '../projects/keys.js';
import {
  deleteExperience,
  findExperience,
  insertExperience,
  setExperienceStatus,
  updateExperienceSettings,
} from '../storage/experience-repository.js';
import type { ProjectRow } from '../storage/project-repository.js';
import type { Store } from '../storage/store.js';
import type { Experience, ExperienceSettings, ExperienceStatus } from './experience.js';
import { type ExperienceProblem, parseExperience } from './parse-experience.js';

/** Checks the groups a target names: the ids missing from the project, or a problem with a target. */
export type TargetCheck = (
  project: ProjectRow,
  settings: ExperienceSettings,
  groupIds: string[],
) => Promise<{ pointer: string; message: string; code: TargetProblemCode } | null>;

export type TargetProblemCode = 'TARGET_GROUP_NOT_FOUND' | 'INVALID_EXPERIENCE';

export type CatalogResult =
  | { ok: true; experience: Experience }
  | {
      ok: false;
      code: ExperienceProblem['code'] | TargetProblemCode | 'EXPERIENCE_NOT_FOUND';
      pointer?: string;
      message: string;
    };

/**
 * Creating, changing, publishing and deleting experiences. Every change drops the project's
 * published experiences from decide's memory (`onChange`).
 */
export class ExperienceCatalog {
  constructor(
    private readonly store: Store,
    private readonly checkTarget: TargetCheck,
    private readonly onChange: (projectId: string) => Promise<void> | void,
  ) {}

  async create(project: ProjectRow, body: unknown, now = Date.now()): Promise<CatalogResult> {
    const checked = await this.check(project, body);
    if (!checked.ok) return checked;
    const experience = await this.store.transaction((tx) =>
      insertExperience(tx.db, { id: newId('exp'), projectId: project.id, settings: checked.settings, now }),
    );
    return { ok: true, experience };
  }

  /** A PATCH: the fields sent replace the stored ones, and the whole is checked again. */
  async update(
    project: ProjectRow,
    id: string,
    patch: Record<string, unknown>,
    now = Date.now(),
  ): Promise<CatalogResult> {
    const stored = await findExperience(this.store.db, project.id, id);
    if (!stored) return notFound(id);
    const merged = { ...settingsBody(stored), ...patch };
    const checked = await this.check(project, merged);
    if (!checked.ok) return checked;
    await this.store.transaction((tx) =>
      updateExperienceSettings(tx.db, project.id, id, checked.settings, now),
    );
    return this.changed(project.id, id);
  }

  async setStatus(
    project: ProjectRow,
    id: string,
    status: ExperienceStatus,
    now = Date.now(),
  ): Promise<CatalogResult> {
    const stored = await findExperience(this.store.db, project.id, id);
    if (!stored) return notFound(id);
    if (stored.status !== status) {
      await this.store.transaction((tx) => setExperienceStatus(tx.db, project.id, id, status, now));
    }
    return this.changed(project.id, id);
  }

  async remove(project: ProjectRow, id: string): Promise<boolean> {
    const deleted = await this.store.transaction((tx) => deleteExperience(tx.db, project.id, id));
    if (deleted) await this.onChange(project.id);
    return deleted;
  }

  private async changed(projectId: string, id: string): Promise<CatalogResult> {
    await this.onChange(projectId);
    const experience = await findExperience(this.store.db, projectId, id);
    return experience ? { ok: true, experience } : notFound(id);
  }

  private async check(
    project: ProjectRow,
    body: unknown,
  ): Promise<{ ok: true; settings: ExperienceSettings } | Extract<CatalogResult, { ok: false }>> {
    const parsed = parseExperience(body, { allowScripts: project.allow_scripts === 1 });
    if (!parsed.ok) return parsed;
    const problem = await this.checkTarget(project, parsed.settings, parsed.groupIds);
    if (problem) return { ok: false, ...problem };
    return { ok: true, settings: parsed.settings };
  }
}

function notFound(id: string): CatalogResult {
  return { ok: false, code: 'EXPERIENCE_NOT_FOUND', message: `no experience "${id}" in this project` };
}

/** A stored experience as the body that would create it (times as ISO strings). */
function settingsBody(experience: Experience): Record<string, unknown> {
  const iso = (time: number | null) => (time === null ? undefined : new Date(time).toISOString());
  return {
    name: experience.name,
    type: experience.type,
    pages: experience.pages,
    target: experience.target,
    variants: experience.variants,
    control_weight: experience.control_weight,
    goal: experience.goal ?? undefined,
    frequency: experience.frequency,
    priority: experience.priority,
    starts_at: iso(experience.starts_at),
    ends_at: iso(experience.ends_at),
  };
}

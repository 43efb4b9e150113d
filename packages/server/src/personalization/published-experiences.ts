import { experiencesStamp, listPublishedExperiences } from '../storage/experience-repository.js';
import type { Db } from '../storage/store.js';
import type { Experience } from './experience.js';

interface Entry {
  stamp: string;
  experiences: Experience[];
}

/**
 * The published experiences of each project, kept in memory for decide, highest priority first.
 *
 * strategy: every decide reads the project's stamp (count and latest change of its experiences:
 * one small indexed read) and reloads the list only when the stamp moved. So a change made
 * through any server process sharing the database shows on the next decide everywhere, while the
 * list itself (JSON definitions, parsed conditions) is read and parsed once per change.
 * `invalidate` drops an entry at once after a change made in this process.
 */
export class PublishedExperiences {
  private readonly byProject = new Map<string, Entry>();

  constructor(private readonly db: Db) {}

  async get(projectId: string): Promise<Experience[]> {
    const stamp = await experiencesStamp(this.db, projectId);
    const cached = this.byProject.get(projectId);
    if (cached?.stamp === stamp) return cached.experiences;
    const experiences = (await listPublishedExperiences(this.db, projectId)).sort(
      (a, b) => b.priority - a.priority || a.createdAt - b.createdAt,
    );
    if (this.byProject.size > 10_000) this.byProject.clear();
    this.byProject.set(projectId, { stamp, experiences });
    return experiences;
  }

  invalidate(projectId: string): void {
    this.byProject.delete(projectId);
  }
}

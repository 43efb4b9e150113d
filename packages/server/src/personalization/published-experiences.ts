import { listPublishedExperiences } from '../storage/experience-repository.js';
import type { Db } from '../storage/store.js';
import type { Experience } from './experience.js';

/**
 * The published experiences of each project, kept in memory for decide, highest priority first.
 * `invalidate` drops a project's entry after a change (this process; other processes are told
 * through the store's change notices).
 */
export class PublishedExperiences {
  private readonly byProject = new Map<string, Promise<Experience[]>>();

  constructor(private readonly db: Db) {}

  get(projectId: string): Promise<Experience[]> {
    let entry = this.byProject.get(projectId);
    if (!entry) {
      entry = listPublishedExperiences(this.db, projectId).then((list) =>
        list.sort((a, b) => b.priority - a.priority || a.createdAt - b.createdAt),
      );
      entry.catch(() => this.byProject.delete(projectId));
      if (this.byProject.size > 10_000) this.byProject.clear();
      this.byProject.set(projectId, entry);
    }
    return entry;
  }

  invalidate(projectId: string): void {
    this.byProject.delete(projectId);
  }
}

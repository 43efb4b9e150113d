import type { AttributeType } from '../attributes/attribute-types.js';
import type { GroupDefinition } from '../conditions/condition.js';
import { attributeTypesOf, loadGroupDefinitions } from '../groups/group-condition.js';
import { DEFINITIONS_CHANNEL } from '../storage/decide-migration.js';
import { definitionsVersion } from '../storage/decide-repository.js';
import { listPublishedExperiences } from '../storage/experience-repository.js';
import type { Listener } from '../storage/postgres-listener.js';
import type { Store } from '../storage/store.js';
import type { Experience } from './experience.js';

/** What decide needs of a project besides the visitor: read once per change, kept in memory. */
export interface ProjectDefinitions {
  /** Published experiences, highest priority first. */
  experiences: Experience[];
  /** Every group as `in_group` reads it. */
  groups: ReadonlyMap<string, GroupDefinition>;
  attributeTypes: ReadonlyMap<string, AttributeType>;
}

interface Entry {
  /** SQLite: the project's change count when loaded; PostgreSQL: unused (notifications). */
  version: number;
  definitions: ProjectDefinitions;
}

const MAX_PROJECTS = 10_000;

/**
 * Each project's published experiences, group definitions and attribute types, kept in memory for
 * decide (ARCHITECTURE "Decide").
 *
 * strategy: triggers in the database report every change of experiences, groups and attribute
 * types, whoever makes it (migration `0015_decide`).
 * - SQLite (one server process): every get reads the project's change count (one primary-key
 *   lookup) and reloads when it moved.
 * - PostgreSQL (several processes): a dedicated connection LISTENs; a notification drops that
 *   project's entry. Every get first syncs with that connection (one `select 1` shared by the
 *   gets waiting together), so a change committed by another process before this request is
 *   heard before the entry is trusted. While that connection is down nothing is kept (every get reads the
 *   database), and when it is back everything is dropped, since notifications were missed.
 * Changes made through this process also drop the entry at once (`invalidate`), so the next
 * request after the change's answer sees it even before the notification arrives. A load that
 * overlaps an invalidation is answered but not kept.
 */
export class DecideDefinitions {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every invalidation: a load keeps its result only if none happened meanwhile. */
  private generation = 0;
  private live: boolean;
  private readonly listener: Listener | null;

  constructor(private readonly store: Store) {
    this.listener = store.listen(DEFINITIONS_CHANNEL, {
      notify: (projectId) => this.invalidate(projectId),
      live: (live) => {
        this.live = live;
        this.invalidateAll();
      },
    });
    this.live = this.listener === null;
  }

  async get(projectId: string): Promise<ProjectDefinitions> {
    const version = this.listener === null ? await definitionsVersion(this.store.db, projectId) : 0;
    const synced = this.listener === null || (await this.listener.sync());
    const cached = this.entries.get(projectId);
    if (cached && synced && this.live && cached.version === version) return cached.definitions;
    const before = this.generation;
    const definitions = await this.load(projectId);
    if (this.live && this.generation === before) {
      if (this.entries.size >= MAX_PROJECTS) this.entries.clear();
      this.entries.set(projectId, { version, definitions });
    }
    return definitions;
  }

  /** Drops what is kept of a project (after a change through this process, or notified). */
  invalidate(projectId: string): void {
    this.generation++;
    this.entries.delete(projectId);
  }

  async close(): Promise<void> {
    await this.listener?.close();
  }

  private invalidateAll(): void {
    this.generation++;
    this.entries.clear();
  }

  private async load(projectId: string): Promise<ProjectDefinitions> {
    const db = this.store.db;
    const [experiences, groups, attributeTypes] = await Promise.all([
      listPublishedExperiences(db, projectId),
      loadGroupDefinitions(db, projectId),
      attributeTypesOf(db, projectId),
    ]);
    experiences.sort((a, b) => b.priority - a.priority || a.createdAt - b.createdAt);
    return { experiences, groups, attributeTypes };
  }
}

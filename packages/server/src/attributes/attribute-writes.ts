import { LAST_SEEN_PRECISION_MS } from '../identity/identity-graph.js';
import {
  type AttributeDefinitionRow,
  type AttributeSighting,
  countAttributeDefinitions,
  loadAttributeDefinitions,
  loadPersonAttributes,
  type PersonAttribute,
  recordAttributeSightings,
  savePersonAttributes,
} from '../storage/attribute-repository.js';
import type { StoreTx } from '../storage/store.js';
import { applyAttributeOperation, type StoredAttribute } from './apply-attribute-operation.js';
import type { AttributeOperation, AttributeValue } from './attribute-operation.js';
import { type AttributeSource, inferAttributeType } from './attribute-types.js';

interface PendingWrite {
  personId: number;
  operation: AttributeOperation;
  at: number;
  source: AttributeSource;
  /** The message the write came from, to name it when the write is skipped. */
  origin: number;
}

/** Hears of stored values that changed, for the attribute names it watches (the webhook outbox). */
export interface AttributeChangeWatch {
  readonly names: ReadonlySet<string>;
  changed(
    personId: number,
    name: string,
    previous: AttributeValue | undefined,
    current: AttributeValue | undefined,
    at: number,
  ): void;
}

/**
 * Most attribute names a project may have. Anyone holding the public write key can send traits,
 * so new names past this are skipped (with a warning) rather than growing Data Settings forever.
 */
export const MAX_ATTRIBUTES_PER_PROJECT = 2000;

/**
 * Attribute operations queued during one transaction and applied together: one read of the
 * values they touch, the operations in arrival order in memory, one write of what changed.
 */
export class AttributeWrites {
  private pending: PendingWrite[] = [];
  /** Writes skipped because the project has no room for a new attribute name: message and name. */
  readonly skipped: { origin: number; name: string }[] = [];
  /** Told of each value that changed under a watched name; none by default. */
  watch: AttributeChangeWatch | null = null;
  /** The definitions of the names written, as read in this transaction. */
  private readonly definitions = new Map<string, AttributeDefinitionRow>();

  constructor(
    private readonly tx: StoreTx,
    private readonly projectId: string,
  ) {}

  add(
    personId: number,
    operations: AttributeOperation[],
    at: number,
    source: AttributeSource,
    origin = -1,
  ): void {
    for (const operation of operations) this.pending.push({ personId, operation, at, source, origin });
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const writes = await this.withinAttributeCap(this.pending);
    this.pending = [];
    if (writes.length === 0) return;
    const names = [...new Set(writes.map((w) => w.operation.name))];
    const stored = await loadPersonAttributes(
      this.tx.db,
      writes.map((w) => w.personId),
      names,
    );
    const key = (personId: number, name: string) => `${personId}\u0000${name}`;
    const current = new Map<string, StoredAttribute>(stored.map((a) => [key(a.personId, a.name), a]));
    const changed = new Map<string, PersonAttribute>();
    const sightings: AttributeSighting[] = [];
    for (const { personId, operation, at, source } of writes) {
      const k = key(personId, operation.name);
      const before = current.get(k);
      const next = applyAttributeOperation(before, operation, at);
      if (next === null) continue;
      if (this.watch?.names.has(operation.name))
        this.watch.changed(personId, operation.name, before?.value, next.value, at);
      current.set(k, next);
      changed.set(k, { personId, name: operation.name, ...next });
      if (next.value !== undefined) {
        sightings.push({
          name: operation.name,
          inferredType: inferAttributeType(next.value, source),
          source,
          at,
        });
      }
    }
    await savePersonAttributes(this.tx, this.projectId, [...changed.values()]);
    await recordAttributeSightings(
      this.tx.db,
      this.projectId,
      sightings.filter((s) => this.changesDefinition(s)),
    );
  }

  /**
   * Whether a sighting changes its definition as read: a new name, a new source, an earlier first
   * seen, or a last seen later by more than `LAST_SEEN_PRECISION_MS`. Writing unchanged definitions
   * would row-lock them until commit, and every batch carrying traits names the same few, so
   * concurrent writers would queue behind each other (PostgreSQL) for nothing.
   */
  private changesDefinition(s: AttributeSighting): boolean {
    const d = this.definitions.get(s.name);
    if (!d) return true;
    const flag = s.source === 'sdk' ? d.from_sdk : s.source === 'server' ? d.from_server : d.from_import;
    return !flag || s.at < d.first_seen || s.at > d.last_seen + LAST_SEEN_PRECISION_MS;
  }

  /** The writes whose names exist already or fit under the project's cap; the rest are skipped. */
  private async withinAttributeCap(writes: PendingWrite[]): Promise<PendingWrite[]> {
    const names = [...new Set(writes.map((w) => w.operation.name))];
    for (const d of await loadAttributeDefinitions(this.tx.db, this.projectId, names))
      this.definitions.set(d.name, d);
    const known = new Set(names.filter((name) => this.definitions.has(name)));
    const fresh = names.filter((name) => !known.has(name));
    if (fresh.length === 0) return writes;
    const room = MAX_ATTRIBUTES_PER_PROJECT - (await countAttributeDefinitions(this.tx.db, this.projectId));
    const allowed = new Set([...known, ...fresh.slice(0, Math.max(0, room))]);
    const kept: PendingWrite[] = [];
    for (const write of writes) {
      if (allowed.has(write.operation.name)) kept.push(write);
      else this.skipped.push({ origin: write.origin, name: write.operation.name });
    }
    return kept;
  }
}

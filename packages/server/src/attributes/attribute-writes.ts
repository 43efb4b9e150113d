import {
  type AttributeSighting,
  loadPersonAttributes,
  type PersonAttribute,
  recordAttributeSightings,
  savePersonAttributes,
} from '../storage/attribute-repository.js';
import type { StoreTx } from '../storage/store.js';
import { applyAttributeOperation, type StoredAttribute } from './apply-attribute-operation.js';
import type { AttributeOperation } from './attribute-operation.js';
import { type AttributeSource, inferAttributeType } from './attribute-types.js';

interface PendingWrite {
  personId: number;
  operation: AttributeOperation;
  at: number;
  source: AttributeSource;
}

/**
 * Attribute operations queued during one transaction and applied together: one read of the
 * values they touch, the operations in arrival order in memory, one write of what changed.
 */
export class AttributeWrites {
  private pending: PendingWrite[] = [];

  constructor(
    private readonly tx: StoreTx,
    private readonly projectId: string,
  ) {}

  add(personId: number, operations: AttributeOperation[], at: number, source: AttributeSource): void {
    for (const operation of operations) this.pending.push({ personId, operation, at, source });
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const writes = this.pending;
    this.pending = [];
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
      const next = applyAttributeOperation(current.get(k), operation, at);
      if (next === null) continue;
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
    await recordAttributeSightings(this.tx.db, this.projectId, sightings);
  }
}

import { randomUUID } from 'node:crypto';
import type { AttributeValue } from '../attributes/attribute-operation.js';
import type { IdentityLink } from '../identity/resolve-identity.js';
import { loadPersonAttributes } from '../storage/attribute-repository.js';
import type { StoreTx } from '../storage/store.js';
import { insertDeliveries, type NewDelivery } from '../storage/webhook-delivery-repository.js';
import {
  type ActiveSubscription,
  listActiveSubscriptions,
  userIdsOfPersons,
} from '../storage/webhook-repository.js';
import { RETRY_WINDOW_MS, type WebhookEventType, type WebhookPayload } from './webhook-events.js';

type Value = AttributeValue | undefined;

interface Change {
  type: WebhookEventType;
  personId: number;
  at: number;
  data: Record<string, unknown>;
  /** For `user.attributes_changed`: each name's value before the transaction and now. */
  attributes?: Map<string, { previous: Value; current: Value }>;
}

/**
 * The webhook events caused by one write transaction, written in that same transaction (the
 * outbox): a crash between the change and its delivery loses nothing.
 * strategy: `open` reads the project's active subscriptions once; with none, every method returns
 * at once and `flush` writes nothing, so a project without webhooks pays one indexed read per
 * transaction. Otherwise changes are noted in order as they happen (attribute changes folded per
 * person: first value before, last value after; a value that comes back to where it was is no
 * change), and `flush` reads the user ids and the attributes the subscriptions name, as they are
 * at the end of the transaction, and writes one delivery per change and matching subscription.
 */
export class ChangeOutbox {
  private readonly changes: Change[] = [];
  private readonly attributeChanges = new Map<number, Change>();
  /** Attribute names watched by a `user.attributes_changed` subscription. */
  readonly names: ReadonlySet<string>;

  private constructor(
    private readonly tx: StoreTx,
    private readonly projectId: string,
    private readonly subscriptions: ActiveSubscription[],
  ) {
    this.names = new Set(
      subscriptions.filter((s) => s.events.includes('user.attributes_changed')).flatMap((s) => s.attributes),
    );
  }

  static async open(tx: StoreTx, projectId: string): Promise<ChangeOutbox> {
    return new ChangeOutbox(tx, projectId, await listActiveSubscriptions(tx.db, projectId));
  }

  /** Some subscription wants to hear of attribute changes (then report them with `changed`). */
  get watchesAttributes(): boolean {
    return this.names.size > 0;
  }

  /** A person got a user id or a new device, maybe by merging an anonymous person (ingestion). */
  identityLinked(link: IdentityLink, at: number): void {
    if (this.subscriptions.length === 0) return;
    if (link.mergedPersonId !== null) this.personsMerged(link.personId, link.mergedPersonId, at);
    this.changes.push({
      type: 'user.identified',
      personId: link.personId,
      at,
      data: { anonymous_id: link.anonymousId },
    });
  }

  /** `mergedId` was folded into `survivorId`. */
  personsMerged(survivorId: number, mergedId: number, at: number): void {
    if (this.subscriptions.length === 0) return;
    this.changes.push({
      type: 'user.merged',
      personId: survivorId,
      at,
      data: { merged_person_id: mergedId },
    });
  }

  /** A stored attribute value changed (`undefined`: not set). Only watched names are kept. */
  changed(personId: number, name: string, previous: Value, current: Value, at: number): void {
    if (!this.names.has(name)) return;
    let change = this.attributeChanges.get(personId);
    if (!change) {
      change = { type: 'user.attributes_changed', personId, at, data: {}, attributes: new Map() };
      this.attributeChanges.set(personId, change);
      this.changes.push(change);
    }
    change.at = Math.max(change.at, at);
    const known = change.attributes?.get(name);
    change.attributes?.set(name, { previous: known ? known.previous : previous, current });
  }

  /** Writes the deliveries of the changes noted, in the transaction. */
  async flush(): Promise<void> {
    if (this.changes.length === 0) return;
    const changes = this.changes.splice(0);
    this.attributeChanges.clear();
    const personIds = [...new Set(changes.map((c) => c.personId))];
    const userIds = await userIdsOfPersons(this.tx.db, personIds);
    const wanted = [...new Set(this.subscriptions.flatMap((s) => s.attributes))];
    const values = new Map<number, Map<string, Value>>();
    if (wanted.length > 0) {
      for (const a of await loadPersonAttributes(this.tx.db, personIds, wanted)) {
        if (!values.has(a.personId)) values.set(a.personId, new Map());
        values.get(a.personId)?.set(a.name, a.value);
      }
    }
    const now = Date.now();
    const rows: NewDelivery[] = [];
    for (const change of changes) {
      if (!userIds.has(change.personId)) continue;
      for (const subscription of this.subscriptions) {
        if (!subscription.events.includes(change.type)) continue;
        const data = dataFor(change, subscription);
        if (data === null) continue;
        const held = values.get(change.personId);
        const payload: WebhookPayload = {
          id: `dlv_${randomUUID()}`,
          type: change.type,
          occurred_at: new Date(change.at).toISOString(),
          project_id: this.projectId,
          data: {
            person_id: change.personId,
            user_id: userIds.get(change.personId) ?? null,
            ...data,
            attributes: Object.fromEntries(subscription.attributes.map((n) => [n, held?.get(n) ?? null])),
          },
        };
        rows.push({
          id: payload.id,
          webhook_id: subscription.id,
          project_id: this.projectId,
          person_id: change.personId,
          type: change.type,
          payload: JSON.stringify(payload),
          status: 'pending',
          next_attempt_at: now,
          give_up_at: now + RETRY_WINDOW_MS,
          lease_until: null,
          last_error: null,
          created_at: now,
          finished_at: null,
        });
      }
    }
    await insertDeliveries(this.tx.db, rows);
  }
}

/** What a change tells one subscription, or null when it tells it nothing (no watched attribute moved). */
function dataFor(change: Change, subscription: ActiveSubscription): Record<string, unknown> | null {
  if (!change.attributes) return change.data;
  const changes: Record<string, { previous: unknown; current: unknown }> = {};
  for (const name of subscription.attributes) {
    const moved = change.attributes.get(name);
    if (!moved || sameValue(moved.previous, moved.current)) continue;
    changes[name] = { previous: moved.previous ?? null, current: moved.current ?? null };
  }
  return Object.keys(changes).length > 0 ? { changes } : null;
}

function sameValue(a: Value, b: Value): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

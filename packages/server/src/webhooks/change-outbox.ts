import { randomUUID } from 'node:crypto';
import type { AttributeValue } from '../attributes/attribute-operation.js';
import { emptyTouch, type PersonTouch } from '../groups/group-footprint.js';
import type { IdentityLink } from '../identity/resolve-identity.js';
import { loadPersonAttributes } from '../storage/attribute-repository.js';
import type { StoreTx } from '../storage/store.js';
import { insertDeliveries, type NewDelivery } from '../storage/webhook-delivery-repository.js';
import {
  type ActiveSubscription,
  listActiveSubscriptions,
  userIdsOfPersons,
} from '../storage/webhook-repository.js';
import {
  type GroupChange,
  hearsGroupEvents,
  loadWatchedGroups,
  membershipChangesOf,
  type WatchedGroups,
} from './group-membership-changes.js';
import { RETRY_WINDOW_MS, type WebhookEventType, type WebhookPayload } from './webhook-events.js';

type Value = AttributeValue | undefined;

interface Change {
  type: WebhookEventType;
  personId: number;
  at: number;
  data: Record<string, unknown>;
  /** For `user.attributes_changed`: each name's value before the transaction and now. */
  attributes?: Map<string, { previous: Value; current: Value }>;
  /** For group events: the group, and whether only subscriptions naming it hear it (an edit). */
  group?: { id: string; onlyNaming: boolean };
}

/**
 * The webhook events caused by one write transaction, written in that same transaction (the
 * outbox): a crash between the change and its delivery loses nothing.
 * strategy: `open` reads the project's active subscriptions once; with none, every method returns
 * at once and `flush` writes nothing, so a project without webhooks pays one indexed read per
 * transaction. Otherwise changes are noted in order as they happen (attribute changes folded per
 * person: first value before, last value after; a value that comes back to where it was is no
 * change), and so are the persons touched and how: at `flush`, group-membership-changes.ts
 * re-evaluates for them only the watched groups their touch can reach. `flush` then reads the
 * user ids and the attributes the subscriptions name, as they are at the end of the
 * transaction, and writes one delivery per change and matching subscription.
 */
export class ChangeOutbox {
  private readonly changes: Change[] = [];
  private readonly attributeChanges = new Map<number, Change>();
  private readonly touches = new Map<number, PersonTouch>();
  /** Attribute names watched by a `user.attributes_changed` subscription. */
  private readonly watchedNames: ReadonlySet<string>;
  /** Attribute names whose changes are reported: watched ones and those watched groups use. */
  readonly names: ReadonlySet<string>;

  private constructor(
    private readonly tx: StoreTx,
    private readonly projectId: string,
    private readonly subscriptions: ActiveSubscription[],
    /** The groups whose membership is kept; null when no subscription hears group events. */
    private readonly watched: WatchedGroups | null,
  ) {
    this.watchedNames = new Set(
      subscriptions.filter((s) => s.events.includes('user.attributes_changed')).flatMap((s) => s.attributes),
    );
    const groupNames = [...(watched?.footprints.values() ?? [])].flatMap((f) => [...f.attributes]);
    this.names = new Set([...this.watchedNames, ...groupNames]);
  }

  static async open(tx: StoreTx, projectId: string): Promise<ChangeOutbox> {
    const subscriptions = await listActiveSubscriptions(tx.db, projectId);
    const watched = subscriptions.some(hearsGroupEvents) ? await loadWatchedGroups(tx.db, projectId) : null;
    return new ChangeOutbox(tx, projectId, subscriptions, watched);
  }

  /**
   * A change touched this person: `all` for a new person, an identify, a merge or a split (any
   * group may change); else its activity (events, devices) or one attribute.
   */
  touched(personId: number, how: { all?: boolean; activity?: boolean; attribute?: string }): void {
    if (this.watched === null) return;
    let touch = this.touches.get(personId);
    if (!touch) {
      touch = emptyTouch();
      this.touches.set(personId, touch);
    }
    if (how.all) touch.all = true;
    if (how.activity) touch.activity = true;
    if (how.attribute !== undefined) touch.attributes.add(how.attribute);
  }

  /** Group changes found set-based (a group edited or its static list changed, time passing). */
  groupChanged(changes: readonly GroupChange[], at: number, onlyNaming: boolean): void {
    for (const change of changes) {
      this.changes.push({
        type: change.type,
        personId: change.personId,
        at,
        data: { group_id: change.groupId, group_name: change.groupName },
        group: { id: change.groupId, onlyNaming },
      });
    }
  }

  /** The watched groups (null when none), for set-based re-counts in this transaction. */
  get watchedGroups(): WatchedGroups | null {
    return this.watched;
  }

  /** Some subscription wants to hear of attribute changes (then report them with `changed`). */
  get watchesAttributes(): boolean {
    return this.names.size > 0;
  }

  /** A person got a user id or a new device, maybe by merging an anonymous person (ingestion). */
  identityLinked(link: IdentityLink, at: number): void {
    if (this.subscriptions.length === 0) return;
    if (link.mergedPersonId !== null) this.personsMerged(link.personId, link.mergedPersonId, at);
    this.touched(link.personId, { all: true });
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
    this.touched(survivorId, { all: true });
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
    this.touched(personId, { attribute: name });
    if (!this.watchedNames.has(name)) return;
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
    if (this.watched !== null && this.touches.size > 0) {
      const now = Date.now();
      const found = await membershipChangesOf(this.tx.db, this.projectId, this.watched, this.touches, now);
      this.touches.clear();
      this.groupChanged(found, now, false);
    }
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
  if (change.group) {
    const { id, onlyNaming } = change.group;
    if (subscription.groupIds === null) return onlyNaming ? null : change.data;
    return subscription.groupIds.includes(id) ? change.data : null;
  }
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

import { randomUUID } from 'node:crypto';
import { parseUserAgent } from '../devices/parse-user-agent.js';
import type { VisitContext } from '../devices/visit-context.js';
import {
  countDevicesOfPerson,
  type DeviceRow,
  findDevices,
  findPersonsByUserIds,
  lockPersons,
  mergePersonRows,
  type PersonRow,
  saveDevices,
  savePersons,
} from '../storage/identity-repository.js';
import { admitPendingMembers } from '../storage/static-member-repository.js';
import { TransactionConflict } from '../storage/storage-backend.js';
import type { StoreTx } from '../storage/store.js';

/**
 * Last seen times of persons and devices are written when they move by more than this, so a busy
 * visitor's every event does not rewrite their rows. Session gaps are measured to the same precision.
 */
export const LAST_SEEN_PRECISION_MS = 60_000;

export interface IdentityLimits {
  maxAnonymousIdsPerPerson: number;
  sessionGapMs: number;
}

/** Lock keys of ids, so that two transactions touching the same id take turns. */
export const anonymousIdLock = (projectId: string, id: string) => `${projectId}\u0000a\u0000${id}`;
export const userIdLock = (projectId: string, id: string) => `${projectId}\u0000u\u0000${id}`;

/**
 * The part of a project's identity graph that one write transaction touches: the persons and
 * devices holding the ids it names, locked and loaded up front, then changed in memory and
 * written back in a few multi-row statements. Only merges run at once, in SQL, because they touch
 * rows the batch never loaded.
 */
export class IdentityGraph {
  private readonly devices = new Map<string, DeviceRow>();
  private readonly persons = new Map<number, PersonRow>();
  private readonly personIdByUserId = new Map<string, number>();
  private readonly deviceCounts = new Map<number, number>();
  private readonly dirtyPersons = new Set<number>();
  private readonly dirtyDevices = new Set<string>();
  /** User ids given to persons in this transaction: static groups may be waiting for them. */
  private readonly newUserIds: string[] = [];
  private freePersonIds: number[] = [];
  /** The persons created in this transaction, in order. */
  readonly createdPersonIds: number[] = [];
  /** Called before a merge, so writes queued for the merged person land before it is folded. */
  beforeMerge: () => Promise<void> = async () => {};

  private constructor(
    private readonly tx: StoreTx,
    readonly projectId: string,
    readonly limits: IdentityLimits,
  ) {}

  /**
   * Locks the ids, reads who holds them, row-locks those persons and reserves ids for the persons
   * the batch may create. A person that vanished
   * between the read and the lock was merged or deleted by another writer: the transaction is
   * retried from the start.
   */
  static async load(
    tx: StoreTx,
    projectId: string,
    ids: { anonymousIds: string[]; userIds: string[] },
    limits: IdentityLimits,
  ): Promise<IdentityGraph> {
    const graph = new IdentityGraph(tx, projectId, limits);
    const anonymousIds = [...new Set(ids.anonymousIds)];
    const userIds = [...new Set(ids.userIds)];
    await tx.lockKeys([
      ...anonymousIds.map((id) => anonymousIdLock(projectId, id)),
      ...userIds.map((id) => userIdLock(projectId, id)),
    ]);
    const [devices, byUser] = await Promise.all([
      anonymousIds.length ? findDevices(tx.db, projectId, anonymousIds) : [],
      userIds.length ? findPersonsByUserIds(tx.db, projectId, userIds) : [],
    ]);
    const wanted = new Set([...devices.map((d) => d.person_id), ...byUser.map((p) => p.id)]);
    const persons = await lockPersons(tx, projectId, [...wanted]);
    if (persons.length !== wanted.size)
      throw new TransactionConflict('a person changed while its ids were read');
    for (const person of persons) graph.remember(person);
    for (const person of byUser) {
      if (graph.persons.get(person.id)?.user_id !== person.user_id)
        throw new TransactionConflict('a user id moved');
    }
    for (const device of devices) graph.devices.set(device.anonymous_id, device);
    // Every person the batch may create holds at least one id nobody holds yet.
    const unknownIds = anonymousIds.length - devices.length + userIds.length - byUser.length;
    graph.freePersonIds = await tx.allocatePersonIds(unknownIds);
    return graph;
  }

  personOfAnonymousId(anonymousId: string): PersonRow | undefined {
    const device = this.devices.get(anonymousId);
    return device ? this.persons.get(device.person_id) : undefined;
  }

  personOfUserId(userId: string): PersonRow | undefined {
    const id = this.personIdByUserId.get(userId);
    return id === undefined ? undefined : this.persons.get(id);
  }

  /** A new person, written with the rest at `flush` (its id was reserved when the graph loaded). */
  async createPerson(userId: string | null, at: number): Promise<PersonRow> {
    if (this.freePersonIds.length === 0) this.freePersonIds.push(...(await this.tx.allocatePersonIds(1)));
    const person: PersonRow = {
      id: this.freePersonIds.shift() as number,
      project_id: this.projectId,
      user_id: userId,
      created_at: at,
      first_seen: at,
      last_seen: at,
      bound_at: null,
      imported_at: null,
    };
    this.remember(person);
    this.createdPersonIds.push(person.id);
    if (userId !== null) this.newUserIds.push(userId);
    this.deviceCounts.set(person.id, 0);
    this.dirtyPersons.add(person.id);
    return person;
  }

  /** Gives the person a user id (it was anonymous). */
  identify(person: PersonRow, userId: string): void {
    person.user_id = userId;
    this.personIdByUserId.set(userId, person.id);
    this.newUserIds.push(userId);
    this.dirtyPersons.add(person.id);
  }

  /** Records that the person's user id arrived from tracking traffic ("bound", DESIGN §2). */
  markBound(person: PersonRow, at: number): void {
    if (person.bound_at !== null && person.bound_at <= at) return;
    person.bound_at = at;
    this.dirtyPersons.add(person.id);
  }

  async deviceCount(person: PersonRow): Promise<number> {
    let count = this.deviceCounts.get(person.id);
    if (count === undefined) {
      count = await countDevicesOfPerson(this.tx.db, person.id);
      this.deviceCounts.set(person.id, count);
    }
    return count;
  }

  /** Whether the person can take `more` anonymous ids without going over the cap. */
  async hasRoomFor(person: PersonRow, more: number): Promise<boolean> {
    return (await this.deviceCount(person)) + more <= this.limits.maxAnonymousIdsPerPerson;
  }

  /** The device of a new anonymous id, held by `person`, with what its first visit tells; written at `flush`. */
  async addDevice(anonymousId: string, person: PersonRow, visit: VisitContext, at: number): Promise<void> {
    const agent = visit.userAgent ? parseUserAgent(visit.userAgent) : null;
    const device: DeviceRow = {
      project_id: this.projectId,
      anonymous_id: anonymousId,
      person_id: person.id,
      first_seen: at,
      last_seen: at,
      user_agent: visit.userAgent,
      device_type: agent?.deviceType ?? null,
      os: agent?.os ?? null,
      browser: agent?.browser ?? null,
      screen: visit.screen,
      locale: visit.locale,
      first_referrer: visit.referrer,
      first_landing_page: visit.url,
      utm_source: visit.utmSource,
      utm_medium: visit.utmMedium,
      utm_campaign: visit.utmCampaign,
      session_count: 0,
      session_id: null,
      session_last_at: null,
    };
    const count = await this.deviceCount(person);
    this.devices.set(anonymousId, device);
    this.dirtyDevices.add(anonymousId);
    this.deviceCounts.set(person.id, count + 1);
  }

  /**
   * Folds `merged` into `survivor` (DESIGN §3 rule 3); the caller has checked the rules and the cap.
   */
  async merge(survivor: PersonRow, merged: PersonRow): Promise<void> {
    // The merge runs in SQL over everything both persons hold, so all queued writes land first.
    await this.beforeMerge();
    await this.flush();
    const survivorCount = await this.deviceCount(survivor);
    const mergedCount = await this.deviceCount(merged);
    await mergePersonRows(this.tx.db, this.projectId, survivor.id, merged.id);
    for (const device of this.devices.values()) {
      if (device.person_id === merged.id) device.person_id = survivor.id;
    }
    survivor.first_seen = Math.min(survivor.first_seen, merged.first_seen);
    survivor.last_seen = Math.max(survivor.last_seen, merged.last_seen);
    survivor.imported_at = minOf(survivor.imported_at, merged.imported_at);
    this.dirtyPersons.add(survivor.id);
    this.dirtyPersons.delete(merged.id);
    this.persons.delete(merged.id);
    this.deviceCounts.set(survivor.id, survivorCount + mergedCount);
    this.deviceCounts.delete(merged.id);
  }

  /**
   * The person was active at `at`. Last seen is kept to the minute: a person seen again within
   * `LAST_SEEN_PRECISION_MS` is not rewritten, which spares most writes of busy visitors.
   */
  touchPerson(person: PersonRow, at: number): void {
    if (at >= person.first_seen && at <= person.last_seen + LAST_SEEN_PRECISION_MS) return;
    person.first_seen = Math.min(person.first_seen, at);
    person.last_seen = Math.max(person.last_seen, at);
    this.dirtyPersons.add(person.id);
  }

  /**
   * The device was active at `at`; returns the session the activity belongs to.
   * strategy: a session id sent by the client wins (the SDK keeps its own 30-minute sessions);
   * otherwise a gap over the limit since the device's last activity starts a new session. Late
   * events join the current session rather than reopening old ones.
   */
  touchDevice(anonymousId: string, visit: VisitContext, at: number): string | null {
    const device = this.devices.get(anonymousId);
    if (!device) return null;
    let changed = false;
    if (visit.sessionId !== null) {
      if (device.session_id !== visit.sessionId) {
        device.session_id = visit.sessionId;
        device.session_count += 1;
        changed = true;
      }
    } else if (device.session_last_at === null || at - device.session_last_at > this.limits.sessionGapMs) {
      device.session_id = randomUUID();
      device.session_count += 1;
      changed = true;
    }
    if (at > (device.session_last_at ?? at) + LAST_SEEN_PRECISION_MS || at < device.first_seen)
      changed = true;
    device.session_last_at = Math.max(device.session_last_at ?? at, at);
    device.first_seen = Math.min(device.first_seen, at);
    device.last_seen = Math.max(device.last_seen, at);
    if (visit.userAgent && visit.userAgent !== device.user_agent) {
      const agent = parseUserAgent(visit.userAgent);
      device.user_agent = visit.userAgent;
      device.device_type = agent.deviceType;
      device.os = agent.os;
      device.browser = agent.browser;
      changed = true;
    }
    if (visit.screen && visit.screen !== device.screen) {
      device.screen = visit.screen;
      changed = true;
    }
    if (visit.locale && visit.locale !== device.locale) {
      device.locale = visit.locale;
      changed = true;
    }
    if (changed) this.dirtyDevices.add(anonymousId);
    return device.session_id;
  }

  /** Writes back the persons and devices changed in memory. */
  async flush(): Promise<void> {
    const persons = [...this.dirtyPersons].map((id) => this.persons.get(id)).filter((p) => p !== undefined);
    const devices = [...this.dirtyDevices].map((id) => this.devices.get(id)).filter((d) => d !== undefined);
    this.dirtyPersons.clear();
    this.dirtyDevices.clear();
    if (persons.length) await savePersons(this.tx, persons);
    if (devices.length) await saveDevices(this.tx, devices);
    if (this.newUserIds.length)
      await admitPendingMembers(this.tx.db, this.projectId, this.newUserIds.splice(0));
  }

  private remember(person: PersonRow): void {
    this.persons.set(person.id, person);
    if (person.user_id !== null) this.personIdByUserId.set(person.user_id, person.id);
  }
}

function minOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

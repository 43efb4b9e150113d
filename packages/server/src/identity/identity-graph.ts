import { randomUUID } from 'node:crypto';
import { parseUserAgent } from '../devices/parse-user-agent.js';
import type { VisitContext } from '../devices/visit-context.js';
import { type DeviceRow, newPersonRow, type PersonRow } from '../storage/identity-repository.js';

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

/** What a loader read for one batch (see `storage/identity-graph-loader.ts`). */
export interface LoadedGraph {
  projectId: string;
  /** The persons holding the batch's ids, locked. */
  persons: PersonRow[];
  /** The devices of the batch's anonymous ids that exist. */
  devices: DeviceRow[];
  /** How many devices each person may need counted holds (see `personsToCount`). */
  deviceCounts: ReadonlyMap<number, number>;
  /** Ids reserved for the persons the batch may create (one per id nobody holds). */
  freePersonIds: number[];
}

/** Rows to write back: persons and devices as they were when taken, and user ids newly held. */
export interface GraphWrites {
  persons: PersonRow[];
  devices: DeviceRow[];
  newUserIds: string[];
}

/** `mergedId` folds into `survivorId` (DESIGN §3 rule 3), after `writes` land. */
export interface GraphMerge {
  survivorId: number;
  mergedId: number;
  writes: GraphWrites;
}

/**
 * The part of a project's identity graph that one batch touches, in memory: the persons and
 * devices holding the ids it names, as a loader read them, then changed by the rules without any
 * storage call. Changes are taken as rows to write (`takeWrites`) and merges to run
 * (`takeMerges`), each merge with the writes that must land before it.
 */
export class IdentityGraph {
  private readonly devices = new Map<string, DeviceRow>();
  private readonly persons = new Map<number, PersonRow>();
  private readonly personIdByUserId = new Map<string, number>();
  private readonly deviceCounts: Map<number, number>;
  private readonly dirtyPersons = new Set<number>();
  private readonly dirtyDevices = new Set<string>();
  /** User ids given to persons since the last take: static groups may be waiting for them. */
  private newUserIds: string[] = [];
  private readonly freePersonIds: number[];
  private merges: GraphMerge[] = [];
  /** The persons created, in order. */
  readonly createdPersonIds: number[] = [];
  readonly projectId: string;

  constructor(
    loaded: LoadedGraph,
    readonly limits: IdentityLimits,
  ) {
    this.projectId = loaded.projectId;
    for (const person of loaded.persons) this.remember({ ...person });
    for (const device of loaded.devices) this.devices.set(device.anonymous_id, { ...device });
    this.deviceCounts = new Map(loaded.deviceCounts);
    this.freePersonIds = [...loaded.freePersonIds];
  }

  personOfAnonymousId(anonymousId: string): PersonRow | undefined {
    const device = this.devices.get(anonymousId);
    return device ? this.persons.get(device.person_id) : undefined;
  }

  personOfUserId(userId: string): PersonRow | undefined {
    const id = this.personIdByUserId.get(userId);
    return id === undefined ? undefined : this.persons.get(id);
  }

  /** A new person, with an id the loader reserved. */
  createPerson(userId: string | null, at: number): PersonRow {
    const id = this.freePersonIds.shift();
    // Each new person holds an id nobody held when the graph loaded, and the loader reserved one
    // person id per such id.
    if (id === undefined) throw new Error('identity graph: no person id reserved for a new person');
    const person = newPersonRow(id, this.projectId, userId, at);
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

  deviceCount(person: PersonRow): number {
    const count = this.deviceCounts.get(person.id);
    // The loader counts the devices of every person a link can reach (personsToCount).
    if (count === undefined)
      throw new Error(`identity graph: the devices of person ${person.id} were not counted`);
    return count;
  }

  /** Whether the person can take `more` anonymous ids without going over the cap. */
  hasRoomFor(person: PersonRow, more: number): boolean {
    return this.deviceCount(person) + more <= this.limits.maxAnonymousIdsPerPerson;
  }

  /** The device of a new anonymous id, held by `person`, with what its first visit tells. */
  addDevice(anonymousId: string, person: PersonRow, visit: VisitContext, at: number): void {
    const agent = visit.userAgent ? parseUserAgent(visit.userAgent) : null;
    const count = this.deviceCount(person);
    this.devices.set(anonymousId, {
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
    });
    this.dirtyDevices.add(anonymousId);
    this.deviceCounts.set(person.id, count + 1);
  }

  /**
   * Folds `merged` into `survivor` (DESIGN §3 rule 3); the caller has checked the rules and the cap.
   * In memory the loaded devices move and the times combine; the merge itself (attributes, groups,
   * assignments, devices the batch never loaded) is taken by `takeMerges` with the writes queued
   * so far, which must land before it.
   */
  merge(survivor: PersonRow, merged: PersonRow): void {
    const survivorCount = this.deviceCount(survivor);
    const mergedCount = this.deviceCount(merged);
    this.merges.push({ survivorId: survivor.id, mergedId: merged.id, writes: this.takeWrites() });
    for (const device of this.devices.values()) {
      if (device.person_id === merged.id) device.person_id = survivor.id;
    }
    survivor.first_seen = Math.min(survivor.first_seen, merged.first_seen);
    survivor.last_seen = Math.max(survivor.last_seen, merged.last_seen);
    survivor.imported_at = minOf(survivor.imported_at, merged.imported_at);
    this.dirtyPersons.add(survivor.id);
    this.persons.delete(merged.id);
    this.deviceCounts.set(survivor.id, survivorCount + mergedCount);
    this.deviceCounts.delete(merged.id);
  }

  /** The merges decided since the last call, in order. */
  takeMerges(): GraphMerge[] {
    const merges = this.merges;
    this.merges = [];
    return merges;
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

  /** The persons and devices changed since the last take, as they are now (copies), and new user ids. */
  takeWrites(): GraphWrites {
    const persons = [...this.dirtyPersons].flatMap((id) => {
      const person = this.persons.get(id);
      return person ? [{ ...person }] : [];
    });
    const devices = [...this.dirtyDevices].flatMap((id) => {
      const device = this.devices.get(id);
      return device ? [{ ...device }] : [];
    });
    this.dirtyPersons.clear();
    this.dirtyDevices.clear();
    const newUserIds = this.newUserIds;
    this.newUserIds = [];
    return { persons, devices, newUserIds };
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

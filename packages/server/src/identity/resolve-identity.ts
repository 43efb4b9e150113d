import type { VisitContext } from '../devices/visit-context.js';
import type { PersonRow } from '../storage/identity-repository.js';
import type { IdentityGraph } from './identity-graph.js';

/** The ids a message carries, already checked legal (DESIGN §3 rule 1). */
export interface MessageIds {
  anonymousId: string | null;
  userId: string | null;
}

export type IdentityWarning =
  | { code: 'IDENTIFIED_ON_ANOTHER_USER'; message: string }
  | { code: 'DEVICE_CAP_REACHED'; message: string }
  | { code: 'ALIAS_OF_ANOTHER_USER'; message: string };

/**
 * A person got a user id, or an anonymous id joined an identified person (`user.identified`),
 * possibly by merging the anonymous person that held it (`user.merged`).
 */
export interface IdentityLink {
  personId: number;
  userId: string;
  /** The anonymous id that joined; null when a person got a user id without one. */
  anonymousId: string | null;
  /** The anonymous person folded into `personId`, when the link merged one. */
  mergedPersonId: number | null;
}

export interface ResolvedIdentity {
  /** The person the message's event and attributes belong to (rule 5: by user id, else anonymous id). */
  person: PersonRow;
  warnings: IdentityWarning[];
  /** What the message changed in who is who, when it changed anything. */
  link: IdentityLink | null;
}

/**
 * Finds or creates the person a message belongs to, linking its ids on the way.
 * strategy: a message with both a user id and an anonymous id links them as identify does (rules
 * 2 and 4); with one id it finds that id's person or creates one. The person returned follows
 * rule 5: the user id's person when there is one, else the anonymous id's.
 */
export function resolveIdentity(
  graph: IdentityGraph,
  ids: MessageIds,
  visit: VisitContext,
  at: number,
): ResolvedIdentity {
  const { anonymousId, userId } = ids;
  if (userId !== null && anonymousId !== null)
    return linkAnonymousIdToUser(graph, anonymousId, userId, visit, at);
  if (userId !== null) {
    const existing = graph.personOfUserId(userId);
    const person = existing ?? graph.createPerson(userId, at);
    graph.markBound(person, at);
    return { person, warnings: [], link: existing ? null : newLink(person.id, userId, null) };
  }
  if (anonymousId === null) throw new Error('a message reached identity resolution without a legal id');
  const existing = graph.personOfAnonymousId(anonymousId);
  if (existing) return { person: existing, warnings: [], link: null };
  const person = graph.createPerson(null, at);
  graph.addDevice(anonymousId, person, visit, at);
  return { person, warnings: [], link: null };
}

/**
 * alias(previousId, userId) (DESIGN §3 rule 4), where Segment's `previousId` may be an anonymous id
 * or an earlier user id; the two are separate namespaces (DESIGN §2).
 * strategy:
 * 1. `previousId` is a device's anonymous id: link it to `userId` exactly as identify does;
 * 2. `previousId` is `userId` itself: nothing to link, the message belongs to that user;
 * 3. `previousId` is the user id of a person: that person is identified, and two identified
 *    persons are never merged (rule 2), nor can a person hold two user ids: nothing is linked, no
 *    device is named after a user id, the user of `userId` is found or created, and a warning says so;
 * 4. `previousId` is unknown: it is an anonymous id not seen yet, linked as identify does.
 */
export function resolveAlias(
  graph: IdentityGraph,
  previousId: string,
  userId: string,
  visit: VisitContext,
  at: number,
): ResolvedIdentity {
  const previousUser = graph.personOfAnonymousId(previousId) ? undefined : graph.personOfUserId(previousId);
  if (previousId !== userId && !previousUser)
    return linkAnonymousIdToUser(graph, previousId, userId, visit, at);
  const warnings: IdentityWarning[] =
    previousId === userId
      ? []
      : [
          {
            code: 'ALIAS_OF_ANOTHER_USER',
            message: `previousId "${previousId}" is the user id of another identified person; "${userId}" was not merged with it (two identified persons are never merged)`,
          },
        ];
  const resolved = resolveIdentity(graph, { anonymousId: null, userId }, visit, at);
  return { ...resolved, warnings };
}

/**
 * identify(userId) from anonymous id `a` (DESIGN §3 rule 2), with A the person holding `a` and U
 * the person holding `userId`:
 * 1. neither exists: one new identified person holds both;
 * 2. only A, anonymous: A becomes identified;
 * 3. only U: `a` joins U (a new device of a known user), unless U is at the device cap;
 * 4. both, A anonymous: A merges into U (cross-device stitching), unless that passes the cap;
 * 5. A identified with another user id: never merge two identified persons (a shared device, or
 *    a switch of account without logout): `a` stays, U is created if missing, and a warning says so.
 */
function linkAnonymousIdToUser(
  graph: IdentityGraph,
  anonymousId: string,
  userId: string,
  visit: VisitContext,
  at: number,
): ResolvedIdentity {
  const warnings: IdentityWarning[] = [];
  const a = graph.personOfAnonymousId(anonymousId);
  let u = graph.personOfUserId(userId);
  let link: IdentityLink | null = null;

  if (!a && !u) {
    u = graph.createPerson(userId, at);
    graph.addDevice(anonymousId, u, visit, at);
    link = newLink(u.id, userId, anonymousId);
  } else if (a && !u) {
    if (a.user_id === null) {
      graph.identify(a, userId);
      u = a;
      link = newLink(a.id, userId, anonymousId);
    } else {
      warnings.push(sharedDeviceWarning(anonymousId, a.user_id, userId));
      u = graph.createPerson(userId, at);
      link = newLink(u.id, userId, null);
    }
  } else if (!a && u) {
    if (graph.hasRoomFor(u, 1)) {
      graph.addDevice(anonymousId, u, visit, at);
      link = newLink(u.id, userId, anonymousId);
    } else {
      warnings.push(capWarning(anonymousId, userId, graph.limits.maxAnonymousIdsPerPerson));
      graph.addDevice(anonymousId, graph.createPerson(null, at), visit, at);
    }
  } else if (a && u && a.id !== u.id) {
    if (a.user_id !== null) {
      warnings.push(sharedDeviceWarning(anonymousId, a.user_id, userId));
    } else if (graph.hasRoomFor(u, graph.deviceCount(a))) {
      graph.merge(u, a);
      link = { personId: u.id, userId, anonymousId, mergedPersonId: a.id };
    } else {
      warnings.push(capWarning(anonymousId, userId, graph.limits.maxAnonymousIdsPerPerson));
    }
  }
  const person = u as PersonRow;
  graph.markBound(person, at);
  return { person, warnings, link };
}

function newLink(personId: number, userId: string, anonymousId: string | null): IdentityLink {
  return { personId, userId, anonymousId, mergedPersonId: null };
}

function sharedDeviceWarning(anonymousId: string, holder: string, userId: string): IdentityWarning {
  return {
    code: 'IDENTIFIED_ON_ANOTHER_USER',
    message: `anonymous id "${anonymousId}" belongs to user "${holder}"; "${userId}" was not merged with it (call reset() on logout)`,
  };
}

function capWarning(anonymousId: string, userId: string, cap: number): IdentityWarning {
  return {
    code: 'DEVICE_CAP_REACHED',
    message: `user "${userId}" already holds ${cap} anonymous ids; "${anonymousId}" was not linked (its events still reach the user through the user id)`,
  };
}

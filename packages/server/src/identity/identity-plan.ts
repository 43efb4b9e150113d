import { readVisitContext } from '../devices/visit-context.js';
import type { MessageIssue } from '../ingestion/message-issues.js';
import type { NormalizedMessage } from '../ingestion/normalize-message.js';
import type { NewEvent } from '../storage/event-repository.js';
import type { GraphMerge, GraphWrites, IdentityGraph } from './identity-graph.js';
import { type IdentityLink, resolveAlias, resolveIdentity } from './resolve-identity.js';

/** One message resolved: whose it is, what it linked, what to store. */
export interface PlannedMessage {
  message: NormalizedMessage;
  /** The person its event and attributes belong to (DESIGN §3 rule 5). */
  personId: number;
  link: IdentityLink | null;
  /** Whether its attribute operations go to `personId` (not when refused by rule 10). */
  appliesAttributes: boolean;
  warnings: MessageIssue[];
  event: NewEvent;
}

/** Messages that follow some merges: the merges run before the messages' writes. */
export interface PlanSegment {
  merges: GraphMerge[];
  messages: PlannedMessage[];
}

/**
 * The change set of one batch: segments in message order (a new segment starts where a message
 * merged persons), then the persons, devices and user ids to write at the end.
 */
export interface IdentityPlan {
  segments: PlanSegment[];
  writes: GraphWrites;
  createdPersonIds: number[];
}

/** The ids a batch names: what the loader locks and reads. */
export function idsOfMessages(messages: readonly NormalizedMessage[]): {
  anonymousIds: string[];
  userIds: string[];
} {
  const anonymousIds = new Set<string>();
  const userIds = new Set<string>();
  for (const m of messages) {
    if (m.anonymousId !== null) anonymousIds.add(m.anonymousId);
    if (m.userId !== null) userIds.add(m.userId);
    if (m.previousId !== null) {
      // An alias's previousId may be an anonymous id or an earlier user id (resolveAlias).
      anonymousIds.add(m.previousId);
      userIds.add(m.previousId);
    }
  }
  return { anonymousIds: [...anonymousIds], userIds: [...userIds] };
}

/** The anonymous id and user id a message may link (identify, or alias's previousId), if any. */
function linkedPair(m: NormalizedMessage): [string, string] | null {
  if (m.userId === null) return null;
  if (isAlias(m)) return [m.previousId as string, m.userId];
  return m.anonymousId === null ? null : [m.anonymousId, m.userId];
}

/**
 * The stored persons whose devices the rules may need to count: for every pair of ids a message
 * may link, the holders of both when they differ. A pair already held by one person never links
 * anything (user ids never move and identified persons are never merged). A stored person can
 * only reach a link otherwise by holding one of its ids, or by getting it in this batch as the
 * holder of another pair's id, so this set covers every count `IdentityGraph` asks for.
 */
export function personsToCount(
  messages: readonly NormalizedMessage[],
  holderOfAnonymousId: (id: string) => number | undefined,
  holderOfUserId: (id: string) => number | undefined,
): number[] {
  const wanted = new Set<number>();
  for (const m of messages) {
    const pair = linkedPair(m);
    if (pair === null) continue;
    const a = holderOfAnonymousId(pair[0]);
    const u = holderOfUserId(pair[1]);
    if (a === u) continue;
    if (a !== undefined) wanted.add(a);
    if (u !== undefined) wanted.add(u);
  }
  return [...wanted];
}

function isAlias(m: NormalizedMessage): boolean {
  return m.type === 'alias' && m.previousId !== null && m.userId !== null;
}

/**
 * Resolves a batch in memory, message by message in order (DESIGN §3 rules 2–7), and returns
 * the change set; no storage call. Each message's person is found or created (linking its ids),
 * its person and device are touched (sessions), its traits are kept for its person unless
 * verification refuses them (rule 10), and its event row is built with the session it belongs to.
 */
export function planMessages(graph: IdentityGraph, messages: readonly NormalizedMessage[]): IdentityPlan {
  const segments: PlanSegment[] = [{ merges: [], messages: [] }];
  for (const message of messages) {
    const visit = readVisitContext(message.context, message.properties);
    const resolved = isAlias(message)
      ? resolveAlias(graph, message.previousId as string, message.userId as string, visit, message.timestamp)
      : resolveIdentity(graph, message, visit, message.timestamp);
    const merges = graph.takeMerges();
    if (merges.length > 0) segments.push({ merges, messages: [] });
    const { person } = resolved;
    const warnings: MessageIssue[] = resolved.warnings.map((w) => ({
      index: message.index,
      messageId: message.messageId,
      ...w,
    }));
    graph.touchPerson(person, message.timestamp);
    const sessionId =
      message.anonymousId === null ? null : graph.touchDevice(message.anonymousId, visit, message.timestamp);
    const hasTraits = message.attributeOperations.length > 0;
    // Verification on (rule 10): a device's id is no proof of being its identified owner.
    const refused = hasTraits && message.unverified && person.user_id !== null;
    if (refused) {
      warnings.push({
        index: message.index,
        messageId: message.messageId,
        code: 'UNVERIFIED_TRAITS_IGNORED',
        message: `identity verification is on and the message proves no user id; anonymousId "${message.anonymousId}" belongs to an identified user, so its traits were not applied (send userId with its userHash)`,
      });
    }
    segments[segments.length - 1].messages.push({
      message,
      personId: person.id,
      link: resolved.link,
      appliesAttributes: hasTraits && !refused,
      warnings,
      event: {
        project_id: graph.projectId,
        message_id: message.messageId,
        type: message.type,
        name: message.name,
        anonymous_id: message.anonymousId,
        user_id: message.userId,
        timestamp: message.timestamp,
        received_at: message.receivedAt,
        session_id: sessionId,
        url: visit.url,
        referrer: visit.referrer,
        properties: message.propertiesJson,
        context: message.contextJson,
      },
    });
  }
  return { segments, writes: graph.takeWrites(), createdPersonIds: [...graph.createdPersonIds] };
}

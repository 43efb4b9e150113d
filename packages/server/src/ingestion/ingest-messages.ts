import { AttributeWrites, MAX_ATTRIBUTES_PER_PROJECT } from '../attributes/attribute-writes.js';
import type { AcquaintConfig } from '../config.js';
import { readVisitContext } from '../devices/visit-context.js';
import { IdentityGraph } from '../identity/identity-graph.js';
import { resolveIdentity } from '../identity/resolve-identity.js';
import { claimMessageIds, insertEvents, type NewEvent } from '../storage/event-repository.js';
import type { ProjectRow } from '../storage/project-repository.js';
import type { Store } from '../storage/store.js';
import type { MessageIssue } from './message-issues.js';
import { type NormalizedMessage, normalizeMessage } from './normalize-message.js';

export interface IngestResult {
  /** Messages applied now. */
  accepted: number;
  /** Messages whose messageId was already received: acknowledged, not applied again. */
  duplicates: number;
  rejected: MessageIssue[];
  warnings: MessageIssue[];
}

export interface IngestOptions {
  receivedAt: number;
  batchSentAt?: unknown;
  config: AcquaintConfig;
}

/**
 * Validates and stores a batch of tracking messages for one project, in one transaction.
 * strategy: validate every message first (refusals never reach the database); claim the message
 * ids so retries are applied once (rule 8); lock and load the identity graph for every id the
 * batch names; then, message by message in arrival order, resolve the person (rules 2–6), note
 * device and session, and queue attribute writes (rule 7); finally write persons, devices,
 * attributes and events in a few multi-row statements. Events keep the ids they were sent with
 * and are never rewritten: a person's events are found through its ids.
 */
export async function ingestMessages(
  store: Store,
  project: ProjectRow,
  rawMessages: unknown[],
  options: IngestOptions,
): Promise<IngestResult> {
  const rejected: MessageIssue[] = [];
  const warnings: MessageIssue[] = [];
  const valid: NormalizedMessage[] = [];
  const identitySecret = project.verify_identity ? project.identity_secret : null;
  rawMessages.forEach((raw, index) => {
    const result = normalizeMessage(raw, index, {
      receivedAt: options.receivedAt,
      batchSentAt: options.batchSentAt,
      maxMessageBytes: options.config.maxMessageBytes,
      identitySecret,
    });
    if (result.ok) {
      valid.push(result.message);
      warnings.push(...result.warnings);
    } else {
      rejected.push(result.rejection);
    }
  });
  if (valid.length === 0) return { accepted: 0, duplicates: 0, rejected, warnings };

  const outcome = await store.transaction(async (tx) => {
    const identityWarnings: MessageIssue[] = [];
    const claimed = await claimMessageIds(
      tx,
      project.id,
      valid.map((m) => m.messageId),
      options.receivedAt,
    );
    const fresh: NormalizedMessage[] = [];
    const duplicates: NormalizedMessage[] = [];
    for (const message of valid) {
      if (claimed.delete(message.messageId)) fresh.push(message);
      else duplicates.push(message);
    }

    const graph = await IdentityGraph.load(
      tx,
      project.id,
      {
        anonymousIds: fresh.flatMap((m) => [m.anonymousId, m.previousId]).filter((id) => id !== null),
        userIds: fresh.map((m) => m.userId).filter((id) => id !== null),
      },
      options.config,
    );
    const attributes = new AttributeWrites(tx, project.id);
    graph.beforeMerge = () => attributes.flush();
    const events: NewEvent[] = [];

    for (const message of fresh) {
      const visit = readVisitContext(message.context, message.properties);
      const ids =
        message.type === 'alias'
          ? { anonymousId: message.previousId, userId: message.userId }
          : { anonymousId: message.anonymousId, userId: message.userId };
      const { person, warnings: found } = await resolveIdentity(graph, ids, visit, message.timestamp);
      for (const w of found)
        identityWarnings.push({ index: message.index, messageId: message.messageId, ...w });
      graph.touchPerson(person, message.timestamp);
      const sessionId =
        message.anonymousId === null
          ? null
          : graph.touchDevice(message.anonymousId, visit, message.timestamp);
      if (message.attributeOperations.length > 0) {
        attributes.add(
          person.id,
          message.attributeOperations,
          message.timestamp,
          message.source,
          message.index,
        );
      }
      events.push({
        project_id: project.id,
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
      });
    }
    await attributes.flush();
    await graph.flush();
    await insertEvents(tx, events);
    for (const { origin, name } of attributes.skipped) {
      identityWarnings.push({
        index: origin,
        messageId: fresh.find((m) => m.index === origin)?.messageId ?? null,
        code: 'ATTRIBUTE_SKIPPED',
        message: `${name}: the project already has ${MAX_ATTRIBUTES_PER_PROJECT} attributes; a new one was not stored`,
      });
    }
    return { accepted: fresh.length, duplicates, identityWarnings };
  });

  for (const message of outcome.duplicates) {
    warnings.push({
      index: message.index,
      messageId: message.messageId,
      code: 'DUPLICATE_MESSAGE_ID',
      message: `messageId "${message.messageId}" was already received; it was not applied again`,
    });
  }
  warnings.push(...outcome.identityWarnings);
  warnings.sort((a, b) => a.index - b.index);
  return { accepted: outcome.accepted, duplicates: outcome.duplicates.length, rejected, warnings };
}

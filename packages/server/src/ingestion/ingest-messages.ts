import { AttributeWrites, MAX_ATTRIBUTES_PER_PROJECT } from '../attributes/attribute-writes.js';
import type { AcquaintConfig } from '../config.js';
import { readVisitContext } from '../devices/visit-context.js';
import { IdentityGraph } from '../identity/identity-graph.js';
import { resolveAlias, resolveIdentity } from '../identity/resolve-identity.js';
import { claimMessageIds, insertEvents, type NewEvent } from '../storage/event-repository.js';
import { recordIngestionWarnings } from '../storage/ingestion-warning-repository.js';
import type { ProjectRow } from '../storage/project-repository.js';
import type { Store, StoreTx } from '../storage/store.js';
import { ChangeOutbox } from '../webhooks/change-outbox.js';
import { checkWithSecret } from './identity-check.js';
import type { MessageIssue } from './message-issues.js';
import { type NormalizedMessage, type NormalizeOptions, normalizeMessage } from './normalize-message.js';

export interface IngestResult {
  /** Messages applied now, or durably logged to be applied (see QueuedIngestion). */
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

/** The messages of one request that passed validation, and what validation said of the rest. */
export interface ValidatedMessages {
  valid: NormalizedMessage[];
  rejected: MessageIssue[];
  warnings: MessageIssue[];
}

/** What applying messages found: the duplicates skipped and the identity outcomes worth a warning. */
export interface AppliedMessages {
  accepted: number;
  duplicates: NormalizedMessage[];
  warnings: MessageIssue[];
}

/** Checks and normalises every message of a request; refusals never reach the database. */
export function validateMessages(rawMessages: unknown[], options: NormalizeOptions): ValidatedMessages {
  const rejected: MessageIssue[] = [];
  const warnings: MessageIssue[] = [];
  const valid: NormalizedMessage[] = [];
  rawMessages.forEach((raw, index) => {
    const result = normalizeMessage(raw, index, options);
    if (result.ok) {
      valid.push(result.message);
      warnings.push(...result.warnings);
    } else {
      rejected.push(result.rejection);
    }
  });
  return { valid, rejected, warnings };
}

/** How a project's messages are validated: its identity secret when it verifies identities (rule 10). */
export function normalizeOptionsFor(project: ProjectRow, options: IngestOptions): NormalizeOptions {
  return {
    receivedAt: options.receivedAt,
    batchSentAt: options.batchSentAt,
    maxMessageBytes: options.config.maxMessageBytes,
    identityCheck: project.verify_identity ? checkWithSecret(project.identity_secret) : null,
  };
}

/**
 * Validates and stores a batch of tracking messages for one project, in one transaction, before
 * answering (the PostgreSQL path, and SQLite without an ingestion log).
 */
export async function ingestMessages(
  store: Store,
  project: ProjectRow,
  rawMessages: unknown[],
  options: IngestOptions,
): Promise<IngestResult> {
  const { valid, rejected, warnings } = validateMessages(rawMessages, normalizeOptionsFor(project, options));
  if (valid.length === 0) return { accepted: 0, duplicates: 0, rejected, warnings };
  const applied = await store.transaction((tx) => applyMessages(tx, project.id, valid, options.config));
  warnings.push(...applied.duplicates.map(duplicateWarning), ...applied.warnings);
  warnings.sort((a, b) => a.index - b.index);
  return { accepted: applied.accepted, duplicates: applied.duplicates.length, rejected, warnings };
}

export function duplicateWarning(message: { index: number; messageId: string }): MessageIssue {
  return {
    index: message.index,
    messageId: message.messageId,
    code: 'DUPLICATE_MESSAGE_ID',
    message: `messageId "${message.messageId}" was already received; it was not applied again`,
  };
}

/**
 * Applies validated messages of one project inside the caller's transaction.
 * strategy: claim the message ids so retries are applied once (rule 8); lock and load the identity
 * graph for every id the messages name; then, message by message in arrival order, resolve the
 * person (rules 2–6), note device and session, and queue attribute writes (rule 7); finally write
 * persons, devices, attributes and events in a few multi-row statements. Events keep the ids they
 * were sent with and are never rewritten: a person's events are found through its ids. Identity
 * outcomes worth a warning are also kept in `ingestion_warnings`, for senders that were answered
 * before their messages were applied. Identity links and watched attribute changes go to the
 * webhook outbox, written in this same transaction.
 */
export async function applyMessages(
  tx: StoreTx,
  projectId: string,
  valid: NormalizedMessage[],
  config: AcquaintConfig,
): Promise<AppliedMessages> {
  const identityWarnings: MessageIssue[] = [];
  const claimed = await claimMessageIds(
    tx,
    projectId,
    valid.map((m) => m.messageId),
    valid[0].receivedAt,
  );
  const fresh: NormalizedMessage[] = [];
  const duplicates: NormalizedMessage[] = [];
  for (const message of valid) {
    if (claimed.delete(message.messageId)) fresh.push(message);
    else duplicates.push(message);
  }

  const graph = await IdentityGraph.load(
    tx,
    projectId,
    {
      anonymousIds: fresh.flatMap((m) => [m.anonymousId, m.previousId]).filter((id) => id !== null),
      // An alias's previousId may be an earlier user id (resolveAlias).
      userIds: fresh.flatMap((m) => [m.userId, m.previousId]).filter((id) => id !== null),
    },
    config,
  );
  const attributes = new AttributeWrites(tx, projectId);
  graph.beforeMerge = () => attributes.flush();
  const outbox = await ChangeOutbox.open(tx, projectId);
  if (outbox.watchesAttributes) attributes.watch = outbox;
  const events: NewEvent[] = [];

  for (const message of fresh) {
    const visit = readVisitContext(message.context, message.properties);
    const {
      person,
      warnings: found,
      link,
    } = message.type === 'alias' && message.previousId !== null && message.userId !== null
      ? await resolveAlias(graph, message.previousId, message.userId, visit, message.timestamp)
      : await resolveIdentity(graph, message, visit, message.timestamp);
    if (link) outbox.identityLinked(link, message.timestamp);
    for (const w of found)
      identityWarnings.push({ index: message.index, messageId: message.messageId, ...w });
    graph.touchPerson(person, message.timestamp);
    outbox.touched(person.id, { activity: true });
    const sessionId =
      message.anonymousId === null ? null : graph.touchDevice(message.anonymousId, visit, message.timestamp);
    if (message.attributeOperations.length > 0 && message.unverified && person.user_id !== null) {
      // Verification on (rule 10): a device's id is no proof of being its identified owner.
      identityWarnings.push({
        index: message.index,
        messageId: message.messageId,
        code: 'UNVERIFIED_TRAITS_IGNORED',
        message: `identity verification is on and the message proves no user id; anonymousId "${message.anonymousId}" belongs to an identified user, so its traits were not applied (send userId with its userHash)`,
      });
    } else if (message.attributeOperations.length > 0) {
      attributes.add(
        person.id,
        message.attributeOperations,
        message.timestamp,
        message.source,
        message.index,
      );
    }
    events.push({
      project_id: projectId,
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
  for (const personId of graph.createdPersonIds) outbox.touched(personId, { all: true });
  await outbox.flush();
  for (const { origin, name } of attributes.skipped) {
    identityWarnings.push({
      index: origin,
      messageId: fresh.find((m) => m.index === origin)?.messageId ?? null,
      code: 'ATTRIBUTE_SKIPPED',
      message: `${name}: the project already has ${MAX_ATTRIBUTES_PER_PROJECT} attributes; a new one was not stored`,
    });
  }
  await recordIngestionWarnings(tx, projectId, identityWarnings, valid[0].receivedAt);
  return { accepted: fresh.length, duplicates, warnings: identityWarnings };
}

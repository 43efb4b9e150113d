import { AttributeWrites, MAX_ATTRIBUTES_PER_PROJECT } from '../attributes/attribute-writes.js';
import type { AcquaintConfig } from '../config.js';
import { type IdentityPlan, planMessages } from '../identity/identity-plan.js';
import { loadIdentityGraph } from '../identity/load-identity-graph.js';
import { claimMessageIds, insertEvents, type NewEvent } from '../storage/event-repository.js';
import { mergePersonRows, writeGraphChanges } from '../storage/identity-repository.js';
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
 * strategy: claim the message ids so retries are applied once (rule 8); load the identity graph
 * of every id the fresh messages name (set-based reads, locked); resolve every message in memory
 * (`planMessages`, rules 2–7) into one change set; then write it (`writePlan`). Events keep the
 * ids they were sent with and are never rewritten: a person's events are found through its ids.
 * Identity outcomes worth a warning are also kept in `ingestion_warnings`, for senders that were
 * answered before their messages were applied.
 */
export async function applyMessages(
  tx: StoreTx,
  projectId: string,
  valid: NormalizedMessage[],
  config: AcquaintConfig,
): Promise<AppliedMessages> {
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
  const graph = await loadIdentityGraph(tx, projectId, fresh, config);
  const plan = planMessages(graph, fresh);
  const warnings = await writePlan(tx, projectId, plan);
  // A batch may join requests received at different times: each warning keeps its request's.
  const receivedAt = new Map(valid.map((m) => [m.messageId, m.receivedAt]));
  const byTime = new Map<number, MessageIssue[]>();
  for (const warning of warnings) {
    const at = receivedAt.get(warning.messageId ?? '') ?? valid[0].receivedAt;
    const group = byTime.get(at);
    if (group) group.push(warning);
    else byTime.set(at, [warning]);
  }
  for (const [at, group] of byTime) await recordIngestionWarnings(tx, projectId, group, at);
  return { accepted: fresh.length, duplicates, warnings };
}

/**
 * Writes a batch's change set in the caller's transaction and returns its identity warnings.
 * strategy: segment by segment, the writes queued before a merge land (attributes, persons,
 * devices), then the merge runs in SQL over everything both persons hold; the segment's attribute
 * operations are queued for their persons. At the end the last attributes (last-writer-wins by
 * message time), persons, devices and all events are written in a few multi-row statements.
 * Identity links and watched attribute changes go to the webhook outbox in the order they
 * happened, written in this same transaction.
 */
async function writePlan(tx: StoreTx, projectId: string, plan: IdentityPlan): Promise<MessageIssue[]> {
  const warnings: MessageIssue[] = [];
  const attributes = new AttributeWrites(tx, projectId);
  const outbox = await ChangeOutbox.open(tx, projectId);
  if (outbox.watchesAttributes) attributes.watch = outbox;
  const events: NewEvent[] = [];
  // Attribute writes name the message they came from by its place in the batch: a batch may join
  // several requests (the logged and streamed appliers), whose message indexes repeat.
  const origins: NormalizedMessage[] = [];
  for (const segment of plan.segments) {
    for (const merge of segment.merges) {
      await attributes.flush();
      await writeGraphChanges(tx, projectId, merge.writes);
      await mergePersonRows(tx.db, projectId, merge.survivorId, merge.mergedId);
    }
    for (const planned of segment.messages) {
      const { message, personId } = planned;
      origins.push(message);
      if (planned.link) outbox.identityLinked(planned.link, message.timestamp);
      warnings.push(...planned.warnings);
      outbox.touched(personId, { activity: true });
      if (planned.appliesAttributes)
        attributes.add(
          personId,
          message.attributeOperations,
          message.timestamp,
          message.source,
          origins.length - 1,
        );
      events.push(planned.event);
    }
  }
  await attributes.flush();
  await writeGraphChanges(tx, projectId, plan.writes);
  await insertEvents(tx, events);
  for (const personId of plan.createdPersonIds) outbox.touched(personId, { all: true });
  await outbox.flush();
  for (const { origin, name } of attributes.skipped) {
    warnings.push({
      index: origins[origin]?.index ?? origin,
      messageId: origins[origin]?.messageId ?? null,
      code: 'ATTRIBUTE_SKIPPED',
      message: `${name}: the project already has ${MAX_ATTRIBUTES_PER_PROJECT} attributes; a new one was not stored`,
    });
  }
  return warnings;
}

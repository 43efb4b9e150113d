import { randomUUID } from 'node:crypto';
import type { AttributeOperation } from '../attributes/attribute-operation.js';
import { parseTraits } from '../attributes/parse-traits.js';
import type { ErrorCode } from '../errors/error-codes.js';
import { illegalIdReason } from '../identity/illegal-ids.js';
import type { IdentityCheck } from './identity-check.js';
import type { MessageIssue, WarningCode } from './message-issues.js';

export const MESSAGE_TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** Fields of the Segment spec (and Segment libraries' extras) that are accepted without a warning. */
const KNOWN_FIELDS = new Set([
  'type',
  'messageId',
  'anonymousId',
  'userId',
  'previousId',
  'groupId',
  'traits',
  'event',
  'properties',
  'name',
  'category',
  'context',
  'timestamp',
  'sentAt',
  'receivedAt',
  'originalTimestamp',
  'integrations',
  'channel',
  'version',
  '_metadata',
  'writeKey',
  'options',
  'userHash',
  'projectId',
]);
const MAX_DEPTH = 10;
/** Message times before this are refused as broken clocks (and would not fit a date). */
const EARLIEST_TIMESTAMP = Date.parse('2000-01-01T00:00:00.000Z');
/** A client clock up to this far ahead is corrected silently; further ahead is reported. */
const FUTURE_TOLERANCE_MS = 60_000;

/** A message that passed validation, in the form the identity and storage code works with. */
export interface NormalizedMessage {
  index: number;
  messageId: string;
  type: MessageType;
  /** Legal ids only: an illegal one has been dropped (with a warning) or the message refused. */
  anonymousId: string | null;
  userId: string | null;
  /** alias: the id being linked to `userId`, treated as an anonymous id. */
  previousId: string | null;
  /** The event name of a track, or the page/screen name. */
  name: string | null;
  /** Message time in ms: client time corrected for clock skew, never after `receivedAt`. */
  timestamp: number;
  receivedAt: number;
  properties: Record<string, unknown>;
  context: Record<string, unknown>;
  propertiesJson: string;
  contextJson: string;
  attributeOperations: AttributeOperation[];
  source: 'sdk' | 'server';
  /**
   * The project verifies identities and the message proves no user id (it has none, or its hash
   * was wrong): its traits must not reach an identified person through its anonymous id.
   */
  unverified: boolean;
}

export interface NormalizeOptions {
  receivedAt: number;
  /** The batch's `sentAt`, used when a message has none of its own. */
  batchSentAt?: unknown;
  maxMessageBytes: number;
  /** How a userHash is checked when the project verifies identities (DESIGN §3 rule 10), else null. */
  identityCheck: IdentityCheck | null;
  /** A message without a messageId gets `<prefix>-<index>`; without a prefix, a random UUID. */
  generatedIdPrefix?: string;
}

export type NormalizeResult =
  | { ok: true; message: NormalizedMessage; warnings: MessageIssue[] }
  | { ok: false; rejection: MessageIssue };

/**
 * Validates one Segment message and reads it into a NormalizedMessage.
 * strategy: refuse what cannot be stored meaningfully (not an object, unknown type, no legal id,
 * an identify or alias with an illegal user id, an unreadable timestamp, too large or too deep);
 * adjust and warn about the rest (illegal secondary ids, future timestamps, bad attributes,
 * unknown fields), so one bad field never loses a whole message.
 */
export function normalizeMessage(raw: unknown, index: number, options: NormalizeOptions): NormalizeResult {
  const messageIdOf = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : null);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return reject(index, null, 'INVALID_MESSAGE', 'each message must be a JSON object');
  }
  const m = raw as Record<string, unknown>;
  const givenMessageId = messageIdOf(m.messageId);
  const refuse = (code: ErrorCode, text: string) => reject(index, givenMessageId, code, text);
  if (m.messageId !== undefined && (givenMessageId === null || givenMessageId.length > 255)) {
    return refuse('INVALID_MESSAGE', 'messageId must be a non-empty string of at most 255 characters');
  }
  const messageId =
    givenMessageId ?? (options.generatedIdPrefix ? `${options.generatedIdPrefix}-${index}` : randomUUID());
  const warnings: MessageIssue[] = [];
  const warn = (code: WarningCode, text: string) => warnings.push({ index, messageId, code, message: text });

  if (typeof m.type !== 'string' || !(MESSAGE_TYPES as readonly string[]).includes(m.type)) {
    return refuse(
      'UNKNOWN_MESSAGE_TYPE',
      `type must be one of ${MESSAGE_TYPES.join(', ')}; got ${typeof m.type === 'string' ? JSON.stringify(m.type.slice(0, 40)) : typeof m.type}`,
    );
  }
  const type = m.type as MessageType;

  for (const field of ['properties', 'traits', 'context'] as const) {
    const value = m[field];
    if (value !== undefined && value !== null && (typeof value !== 'object' || Array.isArray(value))) {
      return refuse('INVALID_MESSAGE', `${field} must be an object`);
    }
    if (value && depthExceeds(value, MAX_DEPTH)) {
      return refuse('TOO_DEEPLY_NESTED', `${field} is nested deeper than ${MAX_DEPTH} levels`);
    }
  }
  const properties = (m.properties ?? {}) as Record<string, unknown>;
  const context = (m.context ?? {}) as Record<string, unknown>;
  const traits = (m.traits ?? (type === 'identify' ? (context.traits ?? {}) : {})) as Record<string, unknown>;

  const propertiesJson = JSON.stringify(
    type === 'group'
      ? { ...properties, groupId: isIdLike(m.groupId) ? String(m.groupId) : null, traits }
      : properties,
  );
  const contextJson = JSON.stringify(context);
  const size =
    propertiesJson.length + contextJson.length + (type === 'identify' ? JSON.stringify(traits).length : 0);
  if (size > options.maxMessageBytes) {
    return refuse(
      'MESSAGE_TOO_LARGE',
      `message is about ${size} bytes; the limit is ${options.maxMessageBytes}`,
    );
  }

  // Ids (DESIGN §3 rule 1).
  // Only strings and numbers are read as ids; anything else is illegal (and never stringified).
  let userId =
    m.userId === undefined || m.userId === null ? null : isIdLike(m.userId) ? String(m.userId) : '';
  const userIdProblem = userId === null ? null : illegalIdReason(m.userId);
  if (userIdProblem && (type === 'identify' || type === 'alias')) {
    return refuse('ILLEGAL_USER_ID', `userId ${userIdProblem}`);
  }
  if (userIdProblem) {
    warn('ILLEGAL_USER_ID_IGNORED', `userId ${userIdProblem}; the message was kept under its anonymousId`);
    userId = null;
  }
  let anonymousId =
    m.anonymousId === undefined || m.anonymousId === null
      ? null
      : isIdLike(m.anonymousId)
        ? String(m.anonymousId)
        : '';
  const anonymousIdProblem = anonymousId === null ? null : illegalIdReason(m.anonymousId);
  if (anonymousIdProblem) {
    anonymousId = null;
    if (userId !== null) warn('ILLEGAL_ANONYMOUS_ID', `anonymousId ${anonymousIdProblem}; it was ignored`);
  }
  let previousId: string | null = null;
  if (type === 'alias') {
    const problem = illegalIdReason(m.previousId);
    if (problem) return refuse('MISSING_ID', `alias needs a legal previousId: previousId ${problem}`);
    if (userId === null) return refuse('ILLEGAL_USER_ID', 'alias needs a legal userId');
    previousId = String(m.previousId);
  }
  if (type === 'identify' && userId === null && anonymousId === null) {
    return refuse(
      'MISSING_ID',
      `identify needs a legal userId or anonymousId${anonymousIdProblem ? `: anonymousId ${anonymousIdProblem}` : ''}`,
    );
  }

  // Identity verification (DESIGN §3 rule 10).
  if (
    options.identityCheck !== null &&
    userId !== null &&
    !options.identityCheck(index, userId, m.userHash)
  ) {
    if (type === 'identify' || type === 'alias') {
      return refuse(
        'INVALID_USER_HASH',
        'identity verification is on: send userHash = hex HMAC-SHA256(identity secret, userId)',
      );
    }
    warn(
      'UNVERIFIED_USER_ID_IGNORED',
      'identity verification is on and userHash is missing or wrong; userId was ignored',
    );
    userId = null;
  }
  if (userId === null && anonymousId === null) {
    const why = anonymousIdProblem ? `anonymousId ${anonymousIdProblem}` : 'send userId or anonymousId';
    return refuse('MISSING_ID', `the message has no legal id: ${why}`);
  }

  let name: string | null = null;
  if (type === 'track') {
    if (typeof m.event !== 'string' || m.event.trim() === '')
      return refuse('MISSING_EVENT_NAME', 'track needs a non-empty event name');
    name = m.event.slice(0, 255);
  } else if (type === 'page' || type === 'screen') {
    name = typeof m.name === 'string' && m.name !== '' ? m.name.slice(0, 255) : null;
  }

  const timestamp = messageTime(m, options, warn);
  if (timestamp === null)
    return refuse('INVALID_TIMESTAMP', 'timestamp, originalTimestamp and sentAt must be ISO-8601 dates');

  for (const field of Object.keys(m)) {
    if (!KNOWN_FIELDS.has(field))
      warn(
        'UNKNOWN_FIELD',
        `field "${field.slice(0, 64)}" is not part of the message format; it was ignored`,
      );
  }

  let attributeOperations: AttributeOperation[] = [];
  if (type === 'identify') {
    const parsed = parseTraits(traits);
    attributeOperations = parsed.operations;
    for (const problem of parsed.problems) warn('ATTRIBUTE_SKIPPED', problem);
  }

  const library = (context.library ?? {}) as Record<string, unknown>;
  return {
    ok: true,
    warnings,
    message: {
      index,
      messageId,
      type,
      anonymousId,
      userId,
      previousId,
      name,
      timestamp,
      receivedAt: options.receivedAt,
      properties,
      context,
      propertiesJson,
      contextJson,
      attributeOperations,
      source: library.name === 'acquaint-js' ? 'sdk' : 'server',
      unverified: options.identityCheck !== null && userId === null,
    },
  };
}

/**
 * The message's time: `timestamp` corrected by the client's clock skew (`receivedAt - (sentAt -
 * timestamp)`, as Segment does), clamped so it is never after the time it was received.
 */
function messageTime(
  m: Record<string, unknown>,
  options: NormalizeOptions,
  warn: (code: WarningCode, text: string) => void,
): number | null {
  const parse = (value: unknown): number | null | undefined => {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' && !(value instanceof Date)) return null;
    const at = Date.parse(String(value));
    return Number.isNaN(at) ? null : at;
  };
  const timestamp = parse(m.timestamp ?? m.originalTimestamp);
  const sentAt = parse(m.sentAt ?? options.batchSentAt);
  if (timestamp === null || sentAt === null) return null;
  if (timestamp === undefined) return options.receivedAt;
  const corrected = sentAt === undefined ? timestamp : options.receivedAt - (sentAt - timestamp);
  // Older than any website (or a sentAt that drags it there) is a broken clock, not history.
  if (!(corrected >= EARLIEST_TIMESTAMP)) return null;
  if (corrected > options.receivedAt) {
    if (corrected - options.receivedAt > FUTURE_TOLERANCE_MS) {
      warn(
        'TIMESTAMP_CLAMPED',
        `timestamp is ${Math.round((corrected - options.receivedAt) / 1000)} s in the future; the receive time was used`,
      );
    }
    return options.receivedAt;
  }
  return corrected;
}

/** Ids are strings; numbers are accepted and read as strings (as Segment libraries allow). */
function isIdLike(value: unknown): value is string | number {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

function depthExceeds(value: unknown, max: number): boolean {
  let level: unknown[] = [value];
  for (let depth = 0; level.length > 0; depth++) {
    if (depth > max) return true;
    const next: unknown[] = [];
    for (const item of level) {
      if (typeof item !== 'object' || item === null) continue;
      for (const inner of Object.values(item))
        if (typeof inner === 'object' && inner !== null) next.push(inner);
    }
    level = next;
  }
  return false;
}

function reject(index: number, messageId: string | null, code: ErrorCode, message: string): NormalizeResult {
  return { ok: false, rejection: { index, messageId, code, message } };
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RequestError } from '../../errors/error-codes.js';
import type { IngestResult } from '../../ingestion/ingest-messages.js';
import type { MessageType } from '../../ingestion/normalize-message.js';
import type { AppContext } from '../app-context.js';
import { readEveryBodyAsJson } from '../body-parsing.js';
import { RateLimiter } from '../rate-limiter.js';

/** When to try again while the ingestion log is full: a few seconds of applying. */
const BACKLOG_RETRY_AFTER_SECONDS = 5;

import { errorResponses } from './route-schemas.js';

const SINGLE_MESSAGE_ROUTES: [string, MessageType][] = [
  ['/v1/identify', 'identify'],
  ['/v1/track', 'track'],
  ['/v1/page', 'page'],
  ['/v1/screen', 'screen'],
  ['/v1/group', 'group'],
  ['/v1/alias', 'alias'],
];

const trackingResponse = {
  200: {
    description:
      'Accepted. `rejected` lists messages that were refused (each with index, messageId, code, message); `warnings` lists messages that were stored with an adjustment. Both appear only when not empty. On SQLite the answer comes once the messages are durably logged; outcomes found only when they are applied (IDENTIFIED_ON_ANOTHER_USER, ALIAS_OF_ANOTHER_USER, DEVICE_CAP_REACHED, UNVERIFIED_TRAITS_IGNORED, ATTRIBUTE_SKIPPED for the attribute cap) are listed by GET /api/ingestion/warnings instead.',
    type: 'object',
    properties: {
      success: { type: 'boolean' },
      rejected: { type: 'array', items: { $ref: 'MessageIssue#' } },
      warnings: { type: 'array', items: { $ref: 'MessageIssue#' } },
    },
  },
  ...errorResponses,
};

/** The Segment-compatible HTTP Tracking API (DESIGN §4), authenticated by the project's write key. */
export async function trackingRoutes(
  app: FastifyInstance,
  { context }: { context: AppContext },
): Promise<void> {
  readEveryBodyAsJson(app);
  const { config, metrics } = context;
  const messageLimit = new RateLimiter(config.messageRateLimitPerSecond, config.messageRateLimitBurst);
  const ingest = async (
    request: FastifyRequest,
    messages: unknown[],
    sentAt: unknown,
    messageType: MessageType | null,
  ) => {
    const project = await context.auth.projectForWriteKey(request, request.body);
    const status = context.ingestion.status();
    if (status.backlog_messages >= config.ingestionMaxBacklogMessages) {
      metrics.countRefusedTrackingMessages('backlog_full', messages.length);
      throw new RequestError(
        'INGESTION_BACKLOG_FULL',
        `the ingestion log is full (${status.backlog_messages} messages wait to be applied); nothing was kept: send the request again in ${BACKLOG_RETRY_AFTER_SECONDS} s`,
        { 'retry-after': String(BACKLOG_RETRY_AFTER_SECONDS) },
      );
    }
    const wait = messageLimit.take(project.id, messages.length);
    if (wait > 0) {
      metrics.countRefusedTrackingMessages('rate_limited', messages.length);
      throw new RequestError(
        'MESSAGE_RATE_LIMITED',
        `this project sends more than ${config.messageRateLimitPerSecond} messages a second (this request: ${messages.length}); nothing was kept: send it again in ${wait} s`,
        { 'retry-after': String(wait) },
      );
    }
    const result = await context.ingestion.ingest({
      project,
      messages,
      options: { receivedAt: Date.now(), batchSentAt: sentAt, config: context.config },
      body: request.rawBody ?? Buffer.from(JSON.stringify(request.body)),
      messageType,
    });
    context.metrics.countTrackingMessages(result);
    return result;
  };

  for (const [path, type] of SINGLE_MESSAGE_ROUTES) {
    app.post(
      path,
      {
        config: { keepRawBody: true },
        schema: {
          tags: ['tracking'],
          security: [{ writeKey: [] }],
          summary: `Send one ${type} message`,
          description: `Segment-compatible. Auth: HTTP Basic with the write key as user name, or \`writeKey\` in the body. The message's \`type\` is taken to be "${type}".`,
          response: trackingResponse,
        },
      },
      async (request) => {
        const body = requireObject(request.body);
        return answer(await ingest(request, [{ ...body, type }], body.sentAt, type));
      },
    );
  }

  app.post(
    '/v1/batch',
    {
      config: { keepRawBody: true },
      schema: {
        tags: ['tracking'],
        security: [{ writeKey: [] }],
        summary: 'Send a batch of messages',
        description:
          'Body `{"batch": [message, ...], "writeKey"?: "...", "sentAt"?: ISO}`. Messages are applied in order, in one transaction. Also accepted at `/v1/import`.',
        response: trackingResponse,
      },
    },
    async (request) => {
      const body = requireObject(request.body);
      return answer(await ingest(request, requireBatch(body), body.sentAt, null));
    },
  );
  const hidden = { hide: true, security: [{ writeKey: [] }] };
  app.post('/v1/import', { config: { keepRawBody: true }, schema: hidden }, async (request) => {
    const body = requireObject(request.body);
    return answer(await ingest(request, requireBatch(body), body.sentAt, null));
  });
}

function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RequestError(
      'INVALID_BODY',
      'the body must be a JSON object (one message, or {"batch": [...]})',
    );
  }
  return body as Record<string, unknown>;
}

/** Most entries listed in `rejected` and in `warnings`; past it the answer says how many in all. */
const MAX_LISTED_ISSUES = 1000;
/** Most messages in one request: a body of tiny messages must not cost a thousand times its size. */
const MAX_MESSAGES_PER_REQUEST = 10_000;

function answer(result: IngestResult) {
  const listed = (name: 'rejected' | 'warnings') => {
    const issues = result[name];
    if (issues.length === 0) return {};
    if (issues.length <= MAX_LISTED_ISSUES) return { [name]: issues };
    return { [name]: issues.slice(0, MAX_LISTED_ISSUES), [`${name}_total`]: issues.length };
  };
  return { success: true, ...listed('rejected'), ...listed('warnings') };
}

function requireBatch(body: Record<string, unknown>): unknown[] {
  if (!Array.isArray(body.batch)) {
    throw new RequestError(
      'INVALID_BODY',
      'a batch body is {"batch": [messages...]}; "batch" must be an array',
    );
  }
  if (body.batch.length > MAX_MESSAGES_PER_REQUEST) {
    throw new RequestError(
      'PAYLOAD_TOO_LARGE',
      `a batch holds at most ${MAX_MESSAGES_PER_REQUEST} messages; this one has ${body.batch.length}: split it`,
    );
  }
  return body.batch;
}

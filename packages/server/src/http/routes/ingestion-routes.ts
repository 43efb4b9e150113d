import type { FastifyInstance } from 'fastify';
import { RequestError } from '../../errors/error-codes.js';
import { listIngestionWarnings } from '../../storage/ingestion-warning-repository.js';
import type { AppContext } from '../app-context.js';
import { decodeCursor, encodeCursor } from '../paging-cursor.js';
import { documentedAsSent, ingestionStatusAnswer, ingestionWarningsAnswer } from './answer-schemas.js';
import { errorResponses } from './route-schemas.js';

export const INGESTION_STATUS_PATH = '/api/ingestion/status';

/** How ingestion is doing, and what applying tracking messages found after their senders were answered. */
export async function ingestionRoutes(
  app: FastifyInstance,
  { context }: { context: AppContext },
): Promise<void> {
  app.get(
    INGESTION_STATUS_PATH,
    {
      ...documentedAsSent,
      schema: {
        tags: ['tracking'],
        security: [{ apiKey: ['query'] }],
        summary: 'Whether tracking messages wait to be applied',
        description:
          'With the ingestion log (SQLite files), requests are answered once logged and applied by a background thread; `backlog` is how many logged requests are not applied yet (`backlog_messages` their messages; past `ACQUAINT_INGESTION_MAX_BACKLOG_MESSAGES` tracking is refused with 429 INGESTION_BACKLOG_FULL), `backlog_age_seconds` how long the oldest has waited, and `applier_alive` whether the background thread runs. With NATS JetStream (`ACQUAINT_QUEUE`, PostgreSQL fleets; `mode: "jetstream"`), `backlog` is how many stream messages wait to be applied by the fleet, `backlog_age_seconds` the age of the oldest, and `applier_alive` whether NATS answers and this process holds its partition leases. Other API calls wait for the backlog they find before answering; this one does not.',
        response: { 200: ingestionStatusAnswer, ...errorResponses },
      },
    },
    async (request) => {
      await context.auth.apiKey(request, 'query');
      return context.ingestion.status();
    },
  );

  app.get(
    '/api/ingestion/warnings',
    {
      ...documentedAsSent,
      schema: {
        tags: ['tracking'],
        security: [{ apiKey: ['query'] }],
        summary: 'Identity outcomes found when messages were applied',
        description:
          'Newest first. Tracking requests are answered once their messages are safely logged, so what only applying them can find is listed here: IDENTIFIED_ON_ANOTHER_USER (a shared device; the users were not merged), ALIAS_OF_ANOTHER_USER, DEVICE_CAP_REACHED, UNVERIFIED_TRAITS_IGNORED (identity verification: traits sent without a proven user id to a device of an identified user) and ATTRIBUTE_SKIPPED. Page with `before` (the smallest `id` of the previous page). Kept 30 days (`ACQUAINT_INGESTION_WARNINGS_RETENTION_DAYS`).',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            before: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
            message_id: { type: 'string', maxLength: 255 },
          },
        },
        response: { 200: ingestionWarningsAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'query');
      const query = request.query as { limit: number; before?: number; message_id?: string };
      const warnings = await listIngestionWarnings(context.store.db, project.id, {
        limit: query.limit,
        before: query.before,
        messageId: query.message_id,
      });
      return { warnings };
    },
  );

  app.get(
    '/api/ingestion/failed',
    {
      schema: {
        tags: ['tracking'],
        security: [{ apiKey: ['query'] }],
        summary: 'Logged tracking requests that could not be applied (set aside)',
        description:
          'With the ingestion log (SQLite files), a logged request that fails to apply for a reason of its own is set aside with its error rather than dropped; the rest of the log goes on. Oldest first, paged by `cursor`. With NATS JetStream (`ACQUAINT_QUEUE`), a stream message that cannot be applied is set aside alike and its partition goes on. Once the cause is fixed, `POST /api/ingestion/failed/{id}/replay` applies one. Always empty where requests are applied before they are answered (PostgreSQL without a queue).',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            cursor: { type: 'string', maxLength: 200 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              failed: { type: 'array', items: failedEntrySchema },
              next_cursor: { type: ['string', 'null'] },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'query');
      const query = request.query as { limit: number; cursor?: string };
      const after = query.cursor === undefined ? 0 : decodeCursor(FAILED_CURSOR, query.cursor);
      if (!Number.isSafeInteger(after))
        throw new RequestError('INVALID_CURSOR', 'the cursor is not one this list gave out');
      const failed = await context.ingestion.listFailed(project.id, after as number, query.limit);
      const last = failed.at(-1);
      return {
        failed,
        next_cursor: failed.length === query.limit && last ? encodeCursor(FAILED_CURSOR, last.id) : null,
      };
    },
  );

  app.post(
    '/api/ingestion/failed/:id/replay',
    {
      schema: {
        tags: ['tracking'],
        security: [{ apiKey: ['admin'] }],
        summary: 'Apply a set-aside tracking request again',
        description:
          'Applies the logged request as it was received (same messages, ids and times); messages applied since under the same messageId are skipped. Applied, it leaves the set-aside list; failing again, it stays with the new error (409 INGESTION_REPLAY_FAILED). Scope admin.',
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              id: { type: 'integer' },
              replayed: { type: 'boolean' },
              applied: { type: 'integer', description: 'Messages applied (duplicates not counted).' },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'admin');
      const { id } = request.params as { id: number };
      const outcome = await context.ingestion.replayFailed(project.id, id);
      if (outcome.ok) return { id, replayed: true, applied: outcome.applied };
      throw new RequestError(
        outcome.code === 'NOT_FOUND' ? 'INGESTION_ENTRY_NOT_FOUND' : 'INGESTION_REPLAY_FAILED',
        outcome.message,
      );
    },
  );
}

const FAILED_CURSOR = 'ingestion-failed';

const failedEntrySchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    received_at: { type: 'string', format: 'date-time' },
    error: { type: 'string', description: 'Why applying it failed.' },
    message_type: { type: ['string', 'null'], description: 'For single-message routes; null for a batch.' },
    messages: { type: ['integer', 'null'] },
    message_ids: { type: 'array', items: { type: 'string' }, description: 'The first 20.' },
    bytes: { type: 'integer' },
  },
} as const;

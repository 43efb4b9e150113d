import type { FastifyInstance } from 'fastify';
import { listIngestionWarnings } from '../../storage/ingestion-warning-repository.js';
import type { AppContext } from '../app-context.js';
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
      schema: {
        tags: ['tracking'],
        security: [{ apiKey: [] }],
        summary: 'Whether tracking messages wait to be applied',
        description:
          'With the ingestion log (SQLite files), requests are answered once logged and applied by a background thread; `backlog` is how many logged requests are not applied yet. Other API calls wait for the backlog they find before answering; this one does not.',
        response: errorResponses,
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
      schema: {
        tags: ['tracking'],
        security: [{ apiKey: [] }],
        summary: 'Identity outcomes found when messages were applied',
        description:
          'Newest first. Tracking requests are answered once their messages are safely logged, so what only applying them can find is listed here: IDENTIFIED_ON_ANOTHER_USER (a shared device; the users were not merged), DEVICE_CAP_REACHED and ATTRIBUTE_SKIPPED. Page with `before` (the smallest `id` of the previous page).',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            before: { type: 'integer', minimum: 1 },
            message_id: { type: 'string', maxLength: 255 },
          },
        },
        response: errorResponses,
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
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RequestError } from '../../errors/error-codes.js';
import { type IngestResult, ingestMessages } from '../../ingestion/ingest-messages.js';
import type { MessageType } from '../../ingestion/normalize-message.js';
import type { AppContext } from '../app-context.js';

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
      'Accepted. `rejected` lists messages that were refused (each with index, messageId, code, message); `warnings` lists messages that were stored with an adjustment. Both appear only when not empty.',
    type: 'object',
    properties: {
      success: { type: 'boolean' },
      rejected: { type: 'array', items: { $ref: 'MessageIssue#' } },
      warnings: { type: 'array', items: { $ref: 'MessageIssue#' } },
    },
  },
  '4xx': { $ref: 'Error#' },
};

/** The Segment-compatible HTTP Tracking API (DESIGN §4), authenticated by the project's write key. */
export async function trackingRoutes(
  app: FastifyInstance,
  { context }: { context: AppContext },
): Promise<void> {
  const ingest = async (request: FastifyRequest, messages: unknown[], sentAt: unknown) => {
    const project = await context.auth.projectForWriteKey(request, request.body);
    return ingestMessages(context.store, project, messages, {
      receivedAt: Date.now(),
      batchSentAt: sentAt,
      config: context.config,
    });
  };

  for (const [path, type] of SINGLE_MESSAGE_ROUTES) {
    app.post(
      path,
      {
        schema: {
          tags: ['tracking'],
          summary: `Send one ${type} message`,
          description: `Segment-compatible. Auth: HTTP Basic with the write key as user name, or \`writeKey\` in the body. The message's \`type\` is taken to be "${type}".`,
          response: trackingResponse,
        },
      },
      async (request) => {
        const body = requireObject(request.body);
        return answer(await ingest(request, [{ ...body, type }], body.sentAt));
      },
    );
  }

  app.post(
    '/v1/batch',
    {
      schema: {
        tags: ['tracking'],
        summary: 'Send a batch of messages',
        description:
          'Body `{"batch": [message, ...], "writeKey"?: "...", "sentAt"?: ISO}`. Messages are applied in order, in one transaction. Also accepted at `/v1/import`.',
        response: trackingResponse,
      },
    },
    async (request) => {
      const body = requireObject(request.body);
      if (!Array.isArray(body.batch)) {
        throw new RequestError(
          'INVALID_BODY',
          'a batch body is {"batch": [messages...]}; "batch" must be an array',
        );
      }
      return answer(await ingest(request, body.batch, body.sentAt));
    },
  );
  app.post('/v1/import', { schema: { hide: true } }, async (request) => {
    const body = requireObject(request.body);
    if (!Array.isArray(body.batch)) throw new RequestError('INVALID_BODY', '"batch" must be an array');
    return answer(await ingest(request, body.batch, body.sentAt));
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

function answer(result: IngestResult) {
  return {
    success: true,
    ...(result.rejected.length ? { rejected: result.rejected } : {}),
    ...(result.warnings.length ? { warnings: result.warnings } : {}),
  };
}

import type { FastifyInstance } from 'fastify';
import { RequestError } from '../../errors/error-codes.js';
import { answerDecide } from '../../personalization/answer-decide.js';
import { readDecideRequest } from '../../personalization/decide-request.js';
import type { AppContext } from '../app-context.js';
import { RateLimiter } from '../rate-limiter.js';
import { decideAnswer } from './answer-schemas.js';
import { errorResponses } from './route-schemas.js';

/** `POST /v1/decide`: the experiences a visitor sees on a page (write key; CORS open). */
export async function decideRoutes(
  app: FastifyInstance,
  { context }: { context: AppContext },
): Promise<void> {
  const limiter = new RateLimiter(
    context.config.decideRateLimitPerSecond,
    context.config.decideRateLimitPerSecond * 2,
  );
  app.post(
    '/v1/decide',
    {
      schema: {
        tags: ['personalisation'],
        summary: 'The experiences to show a visitor on a page',
        description:
          'Auth: HTTP Basic with the write key as user name, or `writeKey` in the body; `text/plain` bodies are read as JSON. Body `{"anonymousId", "url", "userId"?, "userHash"?, "referrer"?, "sessionId"?, "preview"?}`. Answers the published experiences whose schedule, pages, target and frequency match, highest priority first; the variant is sticky per person across devices. `variant: "control"` comes with `content: null`. Ids never seen before get what targets everyone. Nothing about identity is written.',
        security: [{ writeKey: [] }],
        body: {
          type: 'object',
          properties: {
            anonymousId: { type: 'string' },
            userId: { type: 'string' },
            userHash: { type: 'string' },
            url: { type: 'string' },
            referrer: { type: 'string' },
            sessionId: { type: 'string' },
            preview: { type: 'string', description: 'The token of a preview link.' },
            context: {
              type: 'object',
              description:
                '`context.userAgent` for visit conditions (default: the User-Agent header); UTM values come from `url`.',
            },
            writeKey: { type: 'string' },
          },
        },
        response: {
          200: decideAnswer,
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const project = await context.auth.projectForWriteKey(request, request.body, limiter);
      const read = readDecideRequest(request.body);
      if (!read.ok) throw new RequestError('INVALID_BODY', read.message, {}, read.pointer);
      const visitor = {
        ...read.request,
        userAgent: read.request.userAgent ?? request.headers['user-agent'] ?? null,
      };
      const experiences = await answerDecide(context.store, context.definitions, project, visitor);
      return { experiences };
    },
  );
}

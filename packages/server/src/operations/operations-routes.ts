import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RequestError } from '../errors/error-codes.js';
import type { AppContext } from '../http/app-context.js';
import { textAnswer } from '../http/routes/answer-schemas.js';
import { checkReadiness } from './readiness.js';

/** Seconds a load balancer should wait before asking `/ready` again after a 503. */
const READY_RETRY_AFTER_SECONDS = 5;

const check = {
  type: 'object',
  properties: { ok: { type: 'boolean' }, message: { type: 'string' } },
} as const;
const readiness = {
  type: 'object',
  properties: {
    ready: { type: 'boolean' },
    checks: {
      type: 'object',
      properties: {
        database: check,
        migrations: check,
        ingestion_applier: check,
        ingestion_backlog: check,
      },
    },
    error: {
      type: 'object',
      description: 'On 503: code NOT_READY, and the failed checks in the message.',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

/**
 * The operator's endpoints, outside the per-project keys: liveness (`/health`), readiness
 * (`/ready`) and Prometheus metrics (`/metrics`, behind `ACQUAINT_METRICS_TOKEN` when it is set).
 */
export async function operationsRoutes(
  app: FastifyInstance,
  { context }: { context: AppContext },
): Promise<void> {
  const { metrics } = context;

  app.get(
    '/health',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness: the process is up',
        description: 'Answers 200 while the process serves HTTP, whatever the database does. No key.',
        response: {
          200: {
            type: 'object',
            properties: { ok: { type: 'boolean' }, store: { type: 'string', enum: ['sqlite', 'postgres'] } },
          },
          '4xx': { $ref: 'Error#' },
        },
      },
    },
    async () => ({ ok: true, store: context.store.name }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags: ['operations'],
        summary: 'Readiness: the database answers, migrations are current, ingestion keeps up',
        description: `200 when every check passes. 503 with \`Retry-After\` and the failed checks named in \`error.message\` when one fails: the database does not answer within 2 s, a migration has not run, the ingestion log applier is not running, or the backlog of logged tracking requests reached \`ACQUAINT_INGESTION_READY_BACKLOG\` (or its messages \`ACQUAINT_INGESTION_MAX_BACKLOG_MESSAGES\`, when tracking is refused with 429). No key.`,
        response: {
          200: readiness,
          '4xx': { $ref: 'Error#' },
          503: readiness,
        },
      },
    },
    async (_request, reply) => {
      const found = await checkReadiness(context.store, context.ingestion, {
        maxBacklog: context.config.ingestionReadyBacklog,
        maxBacklogMessages: context.config.ingestionMaxBacklogMessages,
      });
      if (found.ready) return found;
      const failed = Object.entries(found.checks).filter(([, c]) => !c.ok);
      return reply
        .code(503)
        .header('retry-after', String(READY_RETRY_AFTER_SECONDS))
        .send({
          ...found,
          error: {
            code: 'NOT_READY',
            message: failed.map(([name, c]) => `${name}: ${c.message}`).join('; '),
          },
        });
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics',
        description:
          'Prometheus text format: HTTP requests and latency by route pattern and status, tracking messages by outcome, the ingestion backlog and its age, messages applied, import rows, decide latency, and process figures. Open unless `ACQUAINT_METRICS_TOKEN` is set; then send `Authorization: Bearer <token>`.',
        response: {
          200: textAnswer('text/plain', 'Prometheus text format (version 0.0.4).'),
          '4xx': { $ref: 'Error#' },
        },
      },
    },
    async (request, reply) => {
      requireMetricsToken(request, context.config.metricsToken);
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    },
  );
}

function requireMetricsToken(request: FastifyRequest, token: string | null): void {
  if (token === null) return;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (!match) throw new RequestError('MISSING_API_KEY', 'send "Authorization: Bearer <metrics token>"');
  const sent = Buffer.from(match[1]);
  const wanted = Buffer.from(token);
  if (sent.length !== wanted.length || !timingSafeEqual(sent, wanted))
    throw new RequestError('INVALID_API_KEY', 'the metrics token is wrong');
}

import type { FastifyInstance } from 'fastify';
import { RequestError } from '../../errors/error-codes.js';
import {
  type AttemptRow,
  countDeliveries,
  type DeliveryRow,
  findDelivery,
  listDeliveries,
  requeueDelivery,
} from '../../storage/webhook-delivery-repository.js';
import { findWebhook } from '../../storage/webhook-repository.js';
import { RETRY_WINDOW_MS } from '../../webhooks/webhook-events.js';
import type { AppContext } from '../app-context.js';
import { decodeCursor, encodeCursor } from '../paging-cursor.js';
import { errorResponses } from './route-schemas.js';
import { deliveryParams, deliveryView, webhookParams } from './webhook-schemas.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function viewDelivery(row: DeliveryRow, attempts: AttemptRow[]) {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    person_id: row.person_id,
    created_at: iso(row.created_at),
    next_attempt_at: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    finished_at: iso(row.finished_at),
    attempts: attempts.map((a) => ({
      at: iso(a.at),
      status: a.status,
      duration_ms: a.duration_ms,
      error: a.error,
    })),
  };
}

/** The delivery log of a subscription, retries by hand and test deliveries (scope `admin`). */
export async function webhookDeliveryRoutes(
  app: FastifyInstance,
  { context }: { context: AppContext },
): Promise<void> {
  const { store } = context;
  const secured = { tags: ['webhooks'], security: [{ apiKey: ['admin'] }] };
  const found = async (projectId: string, id: string) => {
    const row = await findWebhook(store.db, projectId, id);
    if (!row) throw new RequestError('WEBHOOK_NOT_FOUND', `no webhook "${id}" in this project`);
    return row;
  };

  app.get(
    '/api/webhooks/:id/deliveries',
    {
      schema: {
        ...secured,
        summary: 'The deliveries of a subscription, newest first, each with every attempt',
        params: webhookParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            cursor: { type: 'string', maxLength: 200 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              deliveries: { type: 'array', items: deliveryView },
              total: { type: 'integer' },
              next_cursor: { type: ['string', 'null'] },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'admin');
      const webhook = await found(project.id, (request.params as { id: string }).id);
      const { limit, cursor } = request.query as { limit: number; cursor?: string };
      let beforeSeq: number | null = null;
      if (cursor !== undefined) {
        const position = decodeCursor('webhook-deliveries', cursor);
        if (typeof position !== 'number')
          throw new RequestError('INVALID_CURSOR', 'the cursor is not one this list gave out');
        beforeSeq = position;
      }
      const page = await listDeliveries(store.db, webhook.id, { limit: limit + 1, beforeSeq });
      const more = page.deliveries.length > limit;
      const deliveries = page.deliveries.slice(0, limit);
      const last = deliveries.at(-1);
      return {
        deliveries: deliveries.map((d) =>
          viewDelivery(
            d,
            page.attempts.filter((a) => a.delivery_id === d.id),
          ),
        ),
        total: await countDeliveries(store.db, webhook.id),
        next_cursor: more && last ? encodeCursor('webhook-deliveries', last.seq) : null,
      };
    },
  );

  app.post(
    '/api/webhooks/:id/deliveries/:delivery_id/retry',
    {
      schema: {
        ...secured,
        summary: 'Send a delivery again now, with the same id (then retried for another 24 hours)',
        params: deliveryParams,
        response: { 202: deliveryView, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { project } = await context.auth.apiKey(request, 'admin');
      const { id, delivery_id } = request.params as { id: string; delivery_id: string };
      const webhook = await found(project.id, id);
      const delivery = await findDelivery(store.db, webhook.id, delivery_id);
      if (!delivery)
        throw new RequestError('DELIVERY_NOT_FOUND', `no delivery "${delivery_id}" of webhook "${id}"`);
      const now = Date.now();
      await store.transaction((tx) => requeueDelivery(tx.db, delivery.id, now, now + RETRY_WINDOW_MS));
      context.webhooks.worker.nudge();
      const after = (await findDelivery(store.db, webhook.id, delivery_id)) ?? delivery;
      const { attempts } = await listDeliveries(store.db, webhook.id, { limit: 1, beforeSeq: after.seq + 1 });
      return reply.code(202).send(viewDelivery(after, attempts));
    },
  );

  app.post(
    '/api/webhooks/:id/test',
    {
      schema: {
        ...secured,
        summary: 'Send a `webhook.test` delivery now and answer how it went (also in the delivery log)',
        params: webhookParams,
        response: {
          200: {
            type: 'object',
            properties: {
              delivery_id: { type: 'string' },
              ok: { type: 'boolean' },
              status: { type: ['integer', 'null'] },
              duration_ms: { type: 'integer' },
              error: { type: ['string', 'null'] },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'admin');
      const webhook = await found(project.id, (request.params as { id: string }).id);
      const { id, outcome } = await context.webhooks.worker.sendTest(webhook);
      return {
        delivery_id: id,
        ok: outcome.ok,
        status: outcome.status,
        duration_ms: outcome.durationMs,
        error: outcome.error,
      };
    },
  );
}

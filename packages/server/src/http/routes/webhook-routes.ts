import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { RequestError } from '../../errors/error-codes.js';
import { listGroups } from '../../storage/group-repository.js';
import { appendAuditLog } from '../../storage/project-repository.js';
import type { StoreTx } from '../../storage/store.js';
import {
  deleteWebhook,
  findWebhook,
  insertWebhook,
  listWebhooks,
  updateWebhook,
  type WebhookRow,
} from '../../storage/webhook-repository.js';
import { noteWatchedGroupsChanged } from '../../webhooks/group-edit-events.js';
import type { WebhookEventType } from '../../webhooks/webhook-events.js';
import {
  checkSubscription,
  newSigningSecret,
  type SubscriptionInput,
  type SubscriptionSettings,
} from '../../webhooks/webhook-subscription.js';
import type { AppContext } from '../app-context.js';
import { deletedIdAnswer, documentedAsSent, rotatedSecretAnswer } from './answer-schemas.js';
import { errorResponses } from './route-schemas.js';
import { changeWebhookBody, createWebhookBody, webhookParams, webhookView } from './webhook-schemas.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A subscription as the API shows it: never its secret, which is shown once. */
export function viewWebhook(row: WebhookRow) {
  return {
    id: row.id,
    url: row.url,
    events: JSON.parse(row.events) as string[],
    group_ids: row.group_ids === null ? null : (JSON.parse(row.group_ids) as string[]),
    attributes: JSON.parse(row.attributes) as string[],
    status: row.status,
    failing_since: iso(row.failing_since),
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

function settingsOf(row: WebhookRow): SubscriptionSettings {
  const view = viewWebhook(row);
  return {
    url: view.url,
    events: view.events as WebhookEventType[],
    groupIds: view.group_ids,
    attributes: view.attributes,
  };
}

/** Webhook subscriptions (DESIGN §4 "Destinations: webhooks"): secret API key, scope `admin`. */
export async function webhookRoutes(
  app: FastifyInstance,
  { context }: { context: AppContext },
): Promise<void> {
  const { store } = context;
  const secured = { tags: ['webhooks'], security: [{ apiKey: ['admin'] }] };
  const check = (projectId: string, input: SubscriptionInput, current: SubscriptionSettings | null) =>
    checkSubscription(input, current, {
      allowPrivate: context.config.webhooksAllowPrivate,
      unknownGroups: async (ids) => {
        const known = new Set((await listGroups(store.db, projectId)).map((g) => g.id));
        return ids.filter((id) => !known.has(id));
      },
    });
  const audit = (tx: StoreTx, projectId: string, keyId: string, action: string, details: unknown) =>
    appendAuditLog(tx.db, { projectId, at: Date.now(), actor: `api_key:${keyId}`, action, details });
  const found = async (projectId: string, id: string) => {
    const row = await findWebhook(store.db, projectId, id);
    if (!row) throw new RequestError('WEBHOOK_NOT_FOUND', `no webhook "${id}" in this project`);
    return row;
  };

  app.post(
    '/api/webhooks',
    {
      schema: {
        ...secured,
        summary: 'Subscribe a URL to events; the signing secret is in this answer only',
        body: createWebhookBody,
        response: {
          201: { ...webhookView, properties: { ...webhookView.properties, secret: { type: 'string' } } },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { project, key } = await context.auth.apiKey(request, 'admin');
      const checked = await check(project.id, request.body as SubscriptionInput, null);
      if (!checked.ok) throw new RequestError(checked.code, checked.message, {}, checked.pointer);
      const { settings } = checked;
      const secret = newSigningSecret();
      const now = Date.now();
      const row: WebhookRow = {
        id: `wh_${randomBytes(12).toString('base64url')}`,
        project_id: project.id,
        url: settings.url,
        events: JSON.stringify(settings.events),
        group_ids: settings.groupIds === null ? null : JSON.stringify(settings.groupIds),
        attributes: JSON.stringify(settings.attributes),
        secret_sealed: context.webhooks.secrets.seal(secret),
        status: 'active',
        failing_since: null,
        created_at: now,
        updated_at: now,
      };
      await store.transaction(async (tx) => {
        await insertWebhook(tx.db, row);
        await noteWatchedGroupsChanged(tx, project.id, now);
        await audit(tx, project.id, key.id, 'create_webhook', { webhook_id: row.id, url: row.url });
      });
      return reply.code(201).send({ ...viewWebhook(row), secret });
    },
  );

  app.get(
    '/api/webhooks',
    {
      schema: {
        ...secured,
        summary: 'The webhook subscriptions of the project',
        response: {
          200: { type: 'object', properties: { webhooks: { type: 'array', items: webhookView } } },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'admin');
      return { webhooks: (await listWebhooks(store.db, project.id)).map(viewWebhook) };
    },
  );

  app.get(
    '/api/webhooks/:id',
    {
      schema: {
        ...secured,
        summary: 'One webhook subscription',
        params: webhookParams,
        response: { 200: webhookView, ...errorResponses },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'admin');
      return viewWebhook(await found(project.id, (request.params as { id: string }).id));
    },
  );

  app.patch(
    '/api/webhooks/:id',
    {
      schema: {
        ...secured,
        summary: 'Change a subscription, or pause (`active: false`) and resume it',
        params: webhookParams,
        body: changeWebhookBody,
        response: { 200: webhookView, ...errorResponses },
      },
    },
    async (request) => {
      const { project, key } = await context.auth.apiKey(request, 'admin');
      const { id } = request.params as { id: string };
      const { active, ...input } = request.body as SubscriptionInput & { active?: boolean };
      const current = await found(project.id, id);
      const checked = await check(project.id, input, settingsOf(current));
      if (!checked.ok) throw new RequestError(checked.code, checked.message, {}, checked.pointer);
      const { settings } = checked;
      const change = {
        url: settings.url,
        events: JSON.stringify(settings.events),
        group_ids: settings.groupIds === null ? null : JSON.stringify(settings.groupIds),
        attributes: JSON.stringify(settings.attributes),
        updated_at: Date.now(),
        ...(active === undefined ? {} : { status: active ? 'active' : 'paused', failing_since: null }),
      };
      await store.transaction(async (tx) => {
        if (!(await updateWebhook(tx.db, project.id, id, change)))
          throw new RequestError('WEBHOOK_NOT_FOUND', `no webhook "${id}" in this project`);
        await noteWatchedGroupsChanged(tx, project.id, change.updated_at);
        await audit(tx, project.id, key.id, 'change_webhook', {
          webhook_id: id,
          ...(request.body as object),
        });
      });
      return viewWebhook(await found(project.id, id));
    },
  );

  app.delete(
    '/api/webhooks/:id',
    {
      ...documentedAsSent,
      schema: {
        ...secured,
        summary: 'Delete a subscription and its delivery log; nothing more is sent to it',
        params: webhookParams,
        response: { 200: deletedIdAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const { project, key } = await context.auth.apiKey(request, 'admin');
      const { id } = request.params as { id: string };
      const deleted = await store.transaction(async (tx) => {
        if (!(await deleteWebhook(tx.db, project.id, id))) return false;
        await noteWatchedGroupsChanged(tx, project.id, Date.now());
        await audit(tx, project.id, key.id, 'delete_webhook', { webhook_id: id });
        return true;
      });
      if (!deleted) throw new RequestError('WEBHOOK_NOT_FOUND', `no webhook "${id}" in this project`);
      return { deleted: true, id };
    },
  );

  app.post(
    '/api/webhooks/:id/rotate-secret',
    {
      ...documentedAsSent,
      schema: {
        ...secured,
        summary:
          'Replace the signing secret; the new one is in this answer only and signs every later attempt',
        params: webhookParams,
        response: { 200: rotatedSecretAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const { project, key } = await context.auth.apiKey(request, 'admin');
      const { id } = request.params as { id: string };
      await found(project.id, id);
      const secret = newSigningSecret();
      await store.transaction(async (tx) => {
        await updateWebhook(tx.db, project.id, id, {
          secret_sealed: context.webhooks.secrets.seal(secret),
          updated_at: Date.now(),
        });
        await audit(tx, project.id, key.id, 'rotate_webhook_secret', { webhook_id: id });
      });
      return { id, secret };
    },
  );
}

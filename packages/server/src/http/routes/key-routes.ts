import type { FastifyInstance } from 'fastify';
import { RequestError } from '../../errors/error-codes.js';
import { createApiKey } from '../../projects/create-project.js';
import { API_KEY_SCOPES, type ApiKeyScope } from '../../projects/keys.js';
import {
  type ApiKeyRow,
  appendAuditLog,
  listApiKeys,
  revokeApiKey,
} from '../../storage/project-repository.js';
import type { AppContext } from '../app-context.js';
import { createdKeyAnswer, documentedAsSent, keyListAnswer, revokedKeyAnswer } from './answer-schemas.js';
import { errorResponses } from './route-schemas.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A key as lists show it: never the key itself, which is shown once at creation. */
function keyView(key: ApiKeyRow) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes.split(','),
    created_at: iso(key.created_at),
    last_used_at: iso(key.last_used_at),
    revoked_at: iso(key.revoked_at),
  };
}

/** Secret API keys of the project: create, list, revoke (secret key, scope `admin`; audit-logged). */
export async function keyRoutes(app: FastifyInstance, { context }: { context: AppContext }): Promise<void> {
  const { store } = context;

  app.get(
    '/api/keys',
    {
      ...documentedAsSent,
      schema: {
        tags: ['keys'],
        summary: 'The API keys of the project, revoked ones included',
        security: [{ apiKey: ['admin'] }],
        response: { 200: keyListAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'admin');
      return { keys: (await listApiKeys(store.db, project.id)).map(keyView) };
    },
  );

  app.post(
    '/api/keys',
    {
      ...documentedAsSent,
      schema: {
        tags: ['keys'],
        summary: 'Create an API key; the key is in this answer only',
        security: [{ apiKey: ['admin'] }],
        body: {
          type: 'object',
          required: ['name', 'scopes'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100 },
            scopes: {
              type: 'array',
              minItems: 1,
              uniqueItems: true,
              items: { type: 'string', enum: [...API_KEY_SCOPES] },
            },
          },
        },
        response: { 201: createdKeyAnswer, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { project, key: actor } = await context.auth.apiKey(request, 'admin');
      const { name, scopes } = request.body as { name: string; scopes: ApiKeyScope[] };
      const created = await store.transaction(async (tx) => {
        const now = Date.now();
        const key = await createApiKey(tx.db, project.id, name, scopes, now);
        await appendAuditLog(tx.db, {
          projectId: project.id,
          at: now,
          actor: `api_key:${actor.id}`,
          action: 'create_api_key',
          details: { key_id: key.id, name, scopes },
        });
        return { ...key, created_at: iso(now) };
      });
      return reply.code(201).send({ ...created, name, scopes });
    },
  );

  app.delete(
    '/api/keys/:id',
    {
      ...documentedAsSent,
      schema: {
        tags: ['keys'],
        summary: 'Revoke an API key: it stops working at once, on every server process',
        security: [{ apiKey: ['admin'] }],
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
        response: { 200: revokedKeyAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const { project, key: actor } = await context.auth.apiKey(request, 'admin');
      const { id } = request.params as { id: string };
      const outcome = await store.transaction(async (tx) => {
        // One revocation at a time per project, so two cannot each leave the other as the last admin key.
        await tx.lockKeys([`${project.id}\u0000api-keys`]);
        const live = (await listApiKeys(tx.db, project.id)).filter((k) => k.revoked_at === null);
        const target = live.find((k) => k.id === id);
        if (!target) return 'not-found';
        const isAdmin = (k: { scopes: string }) => k.scopes.split(',').includes('admin');
        if (isAdmin(target) && live.filter(isAdmin).length === 1) return 'last-admin';
        const now = Date.now();
        await revokeApiKey(tx.db, project.id, id, now);
        await appendAuditLog(tx.db, {
          projectId: project.id,
          at: now,
          actor: `api_key:${actor.id}`,
          action: 'revoke_api_key',
          details: { key_id: id },
        });
        return 'revoked';
      });
      if (outcome === 'not-found')
        throw new RequestError('KEY_NOT_FOUND', `no live API key "${id}" in this project`);
      if (outcome === 'last-admin') {
        throw new RequestError(
          'LAST_ADMIN_KEY',
          `"${id}" is the project's last live admin key; create another admin key before revoking it`,
        );
      }
      return { revoked: true, id };
    },
  );
}

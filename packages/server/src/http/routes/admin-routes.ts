import type { FastifyInstance } from 'fastify';
import { RequestError } from '../../errors/error-codes.js';
import { mergePersonsByAdmin, splitAnonymousId } from '../../identity/admin-repair.js';
import { findPersonById, findPersonByUserId } from '../../storage/identity-repository.js';
import type { AppContext } from '../app-context.js';
import { auditLogAnswer, documentedAsSent, mergeAnswer, splitAnswer } from './answer-schemas.js';
import { errorResponses } from './route-schemas.js';

const personRef = {
  type: 'object',
  additionalProperties: false,
  description: 'A person, by user id or by person id.',
  properties: {
    user_id: { type: 'string' },
    person_id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
  },
} as const;

/** Identity repair (DESIGN §3 rule 11), secret API key with the admin scope; every change is audit-logged. */
export async function adminRoutes(app: FastifyInstance, { context }: { context: AppContext }): Promise<void> {
  const repairContext = (projectId: string, keyId: string) => ({
    store: context.store,
    projectId,
    actor: `api_key:${keyId}`,
    maxAnonymousIdsPerPerson: context.config.maxAnonymousIdsPerPerson,
  });
  const resolve = async (projectId: string, ref: { user_id?: string; person_id?: number }, role: string) => {
    const person =
      ref.user_id !== undefined
        ? await findPersonByUserId(context.store.db, projectId, ref.user_id)
        : ref.person_id !== undefined
          ? await findPersonById(context.store.db, projectId, ref.person_id)
          : undefined;
    if (ref.user_id === undefined && ref.person_id === undefined) {
      throw new RequestError('INVALID_BODY', `"${role}" needs user_id or person_id`);
    }
    if (!person) throw new RequestError('PERSON_NOT_FOUND', `"${role}" names no person in this project`);
    return person;
  };

  app.post(
    '/api/admin/merge',
    {
      ...documentedAsSent,
      schema: {
        tags: ['admin'],
        security: [{ apiKey: ['admin'] }],
        summary: 'Merge one person into another',
        description:
          '`from` is folded into `into`: `into` keeps its attribute values, `from` only fills the ones `into` lacks, all ids move. Two identified persons are never merged (409 MERGE_REFUSED).',
        body: {
          type: 'object',
          required: ['into', 'from'],
          additionalProperties: false,
          properties: { into: personRef, from: personRef },
        },
        response: { 200: mergeAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const { project, key } = await context.auth.apiKey(request, 'admin');
      const body = request.body as {
        into: { user_id?: string; person_id?: number };
        from: { user_id?: string; person_id?: number };
      };
      const into = await resolve(project.id, body.into, 'into');
      const from = await resolve(project.id, body.from, 'from');
      const result = await mergePersonsByAdmin(repairContext(project.id, key.id), into.id, from.id);
      if (!result.ok) throw new RequestError(result.code, result.message);
      return { merged: true, ...result.value };
    },
  );

  app.post(
    '/api/admin/split',
    {
      ...documentedAsSent,
      schema: {
        tags: ['admin'],
        security: [{ apiKey: ['admin'] }],
        summary: 'Split an anonymous id (and its anonymous events) off its person',
        body: {
          type: 'object',
          required: ['anonymous_id'],
          additionalProperties: false,
          properties: { anonymous_id: { type: 'string', minLength: 1 } },
        },
        response: { 200: splitAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const { project, key } = await context.auth.apiKey(request, 'admin');
      const { anonymous_id } = request.body as { anonymous_id: string };
      const result = await splitAnonymousId(repairContext(project.id, key.id), anonymous_id);
      if (!result.ok) throw new RequestError(result.code, result.message);
      return { split: true, anonymous_id, ...result.value };
    },
  );

  app.get(
    '/api/admin/audit-log',
    {
      ...documentedAsSent,
      schema: {
        tags: ['admin'],
        security: [{ apiKey: ['admin'] }],
        summary: 'The audit log of identity repairs and erasures, newest first',
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        },
        response: { 200: auditLogAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'admin');
      const { limit } = request.query as { limit: number };
      const rows = await context.store.db
        .selectFrom('audit_log')
        .selectAll()
        .where('project_id', '=', project.id)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return {
        entries: rows.map((r) => ({
          at: new Date(r.at).toISOString(),
          actor: r.actor,
          action: r.action,
          details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details,
        })),
      };
    },
  );
}

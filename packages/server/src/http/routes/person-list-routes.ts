import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { RequestError } from '../../errors/error-codes.js';
import { checkGroupCondition, loadGroupDefinitions } from '../../groups/group-condition.js';
import { loadPersonAttributes } from '../../storage/attribute-repository.js';
import { personsMatching } from '../../storage/condition-query.js';
import type { PersonsQuery } from '../../storage/group-member-query.js';
import { listPersonsPage, type PersonSort, recentEvents } from '../../storage/person-list-repository.js';
import type { AppContext } from '../app-context.js';
import { decodeCursor, encodeCursor } from '../paging-cursor.js';
import { documentedAsSent, personListAnswer, recentEventsAnswer } from './answer-schemas.js';
import { orRefuse } from './group-schemas.js';
import { errorResponses } from './route-schemas.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/** The dashboard's user list (sorted, paged by cursor at any size) and the install page's live events. */
export async function personListRoutes(
  app: FastifyInstance,
  { context }: { context: AppContext },
): Promise<void> {
  const { store } = context;
  const personsOfCondition = async (projectId: string, text: string): Promise<PersonsQuery> => {
    let condition: unknown;
    try {
      condition = JSON.parse(text);
    } catch {
      throw new RequestError('INVALID_BODY', 'condition must be a condition as JSON', {}, '/condition');
    }
    const checked = orRefuse(await checkGroupCondition(store.db, projectId, condition, null));
    const groups = await loadGroupDefinitions(store.db, projectId);
    return personsMatching(store.db, projectId, checked.parsed, { now: Date.now(), groups }) as PersonsQuery;
  };

  app.get(
    '/api/persons',
    {
      ...documentedAsSent,
      schema: {
        tags: ['users'],
        security: [{ apiKey: ['query'] }],
        summary: 'Persons sorted by last or first seen, paged by cursor, with chosen attribute columns',
        description:
          'Keyset paging: every page costs the same at 1,000,000 persons. `attributes` names up to 20 attributes (comma-separated) to return with each person. `condition` is a condition (DESIGN §5, as JSON) the persons must match, as in a dynamic group; a bad one is a 400 whose `pointer` starts at `/condition`. For a text search use `GET /api/users?q=`.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            sort: { type: 'string', enum: ['last_seen', 'first_seen'], default: 'last_seen' },
            order: { type: 'string', enum: ['asc', 'desc'], default: 'desc' },
            identified: { type: 'boolean' },
            attributes: { type: 'string', maxLength: 4000 },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            cursor: { type: 'string', maxLength: 500 },
            condition: { type: 'string', maxLength: 16_000, description: 'A condition as JSON.' },
          },
        },
        response: { 200: personListAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'query');
      const query = request.query as {
        condition?: string;
        sort: PersonSort;
        order: 'asc' | 'desc';
        identified?: boolean;
        attributes?: string;
        limit: number;
        cursor?: string;
      };
      // A cursor is only good for the condition it was given with.
      const conditionKey = query.condition ? createHash('sha256').update(query.condition).digest('hex') : '';
      const kind = `persons:${query.sort}:${query.order}:${query.identified ?? ''}:${conditionKey}`;
      const after = query.cursor ? (decodeCursor(kind, query.cursor) as [number, number]) : undefined;
      const matching = query.condition ? await personsOfCondition(project.id, query.condition) : undefined;
      const rows = await listPersonsPage(store.db, project.id, { ...query, after }, matching);
      const names = (query.attributes ?? '')
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean)
        .slice(0, 20);
      const values = names.length
        ? await loadPersonAttributes(
            store.db,
            rows.map((r) => r.id),
            names,
          )
        : [];
      const last = rows.at(-1);
      return {
        persons: rows.map((p) => ({
          person_id: p.id,
          user_id: p.user_id,
          identified: p.user_id !== null,
          bound: p.bound_at !== null,
          imported: p.imported_at !== null,
          first_seen: iso(p.first_seen),
          last_seen: iso(p.last_seen),
          attributes: Object.fromEntries(
            values.filter((v) => v.personId === p.id && v.value !== undefined).map((v) => [v.name, v.value]),
          ),
        })),
        next_cursor:
          rows.length === query.limit && last
            ? encodeCursor(kind, [Number(last[query.sort]), last.id])
            : null,
      };
    },
  );

  app.get(
    '/api/events',
    {
      ...documentedAsSent,
      schema: {
        tags: ['events'],
        security: [{ apiKey: ['query'] }],
        summary: "The project's latest events, newest first (page views, events, identify calls)",
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            cursor: { type: 'string', maxLength: 500 },
          },
        },
        response: { 200: recentEventsAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'query');
      const { limit, cursor } = request.query as { limit: number; cursor?: string };
      const before = cursor ? (decodeCursor('events', cursor) as number) : undefined;
      const rows = await recentEvents(store.db, project.id, limit, before);
      const last = rows.at(-1);
      return {
        events: rows.map((e) => ({
          id: Number(e.id),
          type: e.type,
          name: e.name,
          anonymous_id: e.anonymous_id,
          user_id: e.user_id,
          url: e.url,
          timestamp: iso(e.timestamp),
          received_at: iso(e.received_at),
        })),
        next_cursor: rows.length === limit && last ? encodeCursor('events', Number(last.id)) : null,
      };
    },
  );
}

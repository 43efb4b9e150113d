import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { RequestError } from '../../errors/error-codes.js';
import { deletePerson } from '../../identity/admin-repair.js';
import { attributeChanges } from '../../profiles/attribute-changes.js';
import { searchPersons } from '../../profiles/search-persons.js';
import { loadUserProfile } from '../../profiles/user-profile.js';
import { allPersonEvents, type EventRow, findPersonEvents } from '../../storage/event-repository.js';
import {
  findDevicesOfPerson,
  findPersonById,
  findPersonByUserId,
  type PersonRow,
} from '../../storage/identity-repository.js';
import type { Db } from '../../storage/store.js';
import type { AppContext } from '../app-context.js';
import {
  attributeChangesAnswer,
  deletedUserAnswer,
  documentedAsSent,
  exportAnswer,
  profileAnswer,
  timelineAnswer,
  userListAnswer,
} from './answer-schemas.js';
import { errorResponses } from './route-schemas.js';

const userIdParams = {
  type: 'object',
  required: ['userId'],
  properties: { userId: { type: 'string', description: "The owner's user id." } },
} as const;
const personIdParams = {
  type: 'object',
  required: ['personId'],
  properties: { personId: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
} as const;
const paging = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
    offset: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 },
  },
} as const;

/** Profiles, timelines, search, erasure and export (secret API key). */
export async function userRoutes(app: FastifyInstance, { context }: { context: AppContext }): Promise<void> {
  const { store } = context;
  const personOf = async (
    projectId: string,
    params: { userId?: string; personId?: number },
  ): Promise<PersonRow> => {
    if (params.userId !== undefined) {
      const person = await findPersonByUserId(store.db, projectId, params.userId);
      if (!person) throw new RequestError('USER_NOT_FOUND', `no user "${params.userId}" in this project`);
      return person;
    }
    const person = await findPersonById(store.db, projectId, params.personId as number);
    if (!person) throw new RequestError('PERSON_NOT_FOUND', `no person ${params.personId} in this project`);
    return person;
  };

  app.get(
    '/api/users',
    {
      ...documentedAsSent,
      schema: {
        tags: ['users'],
        security: [{ apiKey: ['query'] }],
        summary: 'List or search persons',
        description:
          '`q` matches user ids and attribute values (substring, case-insensitive; `%` and `_` are plain characters). `identified` filters.',
        querystring: {
          ...paging,
          properties: {
            ...paging.properties,
            q: { type: 'string', maxLength: 255 },
            identified: { type: 'boolean' },
          },
        },
        response: { 200: userListAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'query');
      const query = request.query as { q?: string; identified?: boolean; limit: number; offset: number };
      return searchPersons(store.db, project.id, query);
    },
  );

  for (const [path, params] of [
    ['/api/users/:userId', userIdParams],
    ['/api/persons/:personId', personIdParams],
  ] as const) {
    app.get(
      path,
      {
        ...documentedAsSent,
        schema: {
          tags: ['users'],
          security: [{ apiKey: ['query'] }],
          summary: 'A profile with attributes and devices',
          params,
          response: { 200: profileAnswer, ...errorResponses },
        },
      },
      async (request) => {
        const { project } = await context.auth.apiKey(request, 'query');
        return loadUserProfile(store.db, await personOf(project.id, request.params as object));
      },
    );

    app.get(
      `${path}/attribute-changes`,
      {
        ...documentedAsSent,
        schema: {
          tags: ['users'],
          security: [{ apiKey: ['query'] }],
          summary: 'Each attribute value with the time and source of its last change',
          description:
            '`source` is `sdk` or `server` (an identify; `source_id` its messageId), `import` (`source_id` the job id), or null when no record of the write is left.',
          params,
          response: { 200: attributeChangesAnswer, ...errorResponses },
        },
      },
      async (request) => {
        const { project } = await context.auth.apiKey(request, 'query');
        const person = await personOf(project.id, request.params as object);
        return { attributes: await attributeChanges(store.db, person, await idsOf(store.db, person)) };
      },
    );

    app.get(
      `${path}/events`,
      {
        ...documentedAsSent,
        schema: {
          tags: ['users'],
          security: [{ apiKey: ['query'] }],
          summary: 'The cross-device timeline, newest first',
          params,
          querystring: paging,
          response: { 200: timelineAnswer, ...errorResponses },
        },
      },
      async (request) => {
        const { project } = await context.auth.apiKey(request, 'query');
        const person = await personOf(project.id, request.params as object);
        const page = request.query as { limit: number; offset: number };
        const { total, events } = await findPersonEvents(
          store.db,
          project.id,
          await idsOf(store.db, person),
          page,
        );
        return { total, limit: page.limit, offset: page.offset, events: events.map(eventView) };
      },
    );

    app.get(
      `${path}/export`,
      {
        ...documentedAsSent,
        schema: {
          tags: ['users'],
          security: [{ apiKey: ['admin'] }],
          summary: 'Everything held about a person (right of access)',
          params,
          response: { 200: exportAnswer, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { project } = await context.auth.apiKey(request, 'admin');
        const person = await personOf(project.id, request.params as object);
        const ids = await idsOf(store.db, person);
        const profile = await loadUserProfile(store.db, person);
        // Streamed: a long history is never held whole in memory.
        async function* body() {
          yield `{"exported_at":${JSON.stringify(new Date().toISOString())},"profile":${JSON.stringify(profile)},"events":[`;
          let first = true;
          for await (const event of allPersonEvents(store.db, project.id, ids)) {
            yield `${first ? '' : ','}${JSON.stringify(eventView(event))}`;
            first = false;
          }
          yield ']}';
        }
        return reply
          .header('content-type', 'application/json; charset=utf-8')
          .header('content-disposition', `attachment; filename="person-${person.id}.json"`)
          .send(Readable.from(body()));
      },
    );

    app.delete(
      path,
      {
        ...documentedAsSent,
        schema: {
          tags: ['users'],
          security: [{ apiKey: ['admin'] }],
          summary: 'Erase a person: profile, ids, attributes and events',
          params,
          response: { 200: deletedUserAnswer, ...errorResponses },
        },
      },
      async (request) => {
        const { project, key } = await context.auth.apiKey(request, 'admin');
        const person = await personOf(project.id, request.params as object);
        const result = await deletePerson(
          {
            store,
            projectId: project.id,
            actor: `api_key:${key.id}`,
            maxAnonymousIdsPerPerson: context.config.maxAnonymousIdsPerPerson,
          },
          person.id,
        );
        if (!result.ok) throw new RequestError(result.code, result.message);
        return { deleted: true, person_id: person.id, user_id: person.user_id, ...result.value };
      },
    );
  }
}

async function idsOf(db: Db, person: PersonRow) {
  const devices = await findDevicesOfPerson(db, person.id);
  return { userId: person.user_id, anonymousIds: devices.map((d) => d.anonymous_id) };
}

const parseJson = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);

function eventView(e: EventRow) {
  return {
    message_id: e.message_id,
    type: e.type,
    name: e.name,
    anonymous_id: e.anonymous_id,
    user_id: e.user_id,
    timestamp: new Date(e.timestamp).toISOString(),
    received_at: new Date(e.received_at).toISOString(),
    session_id: e.session_id,
    url: e.url,
    referrer: e.referrer,
    properties: parseJson(e.properties),
    context: parseJson(e.context),
  };
}

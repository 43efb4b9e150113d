import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RequestError } from '../../errors/error-codes.js';
import { checkUserIds } from '../../groups/group-input.js';
import { groupPersons, overviewGroup, showMember } from '../../groups/group-view.js';
import { changeStaticMembers, groupNotFound } from '../../groups/user-groups.js';
import { csvLine } from '../../imports/csv-line.js';
import { countPersons, pagePersons } from '../../storage/group-member-query.js';
import { findGroup } from '../../storage/group-repository.js';
import type { AppContext } from '../app-context.js';
import { decodeCursor, encodeCursor } from '../paging-cursor.js';
import { textAnswer } from './answer-schemas.js';
import { groupOverview, groupParams, member, orRefuse, userIdsBody } from './group-schemas.js';
import { errorResponses } from './route-schemas.js';

/** Members read per query while the CSV export streams. */
const EXPORT_PAGE = 5000;

/** Where a members cursor points: after this person id, with the total counted on the first page. */
interface MembersPosition {
  after: number;
  total: number;
}

/** A group's members: paged, exported as CSV, and added or removed for static groups. */
export async function groupMemberRoutes(
  app: FastifyInstance,
  { context }: { context: AppContext },
): Promise<void> {
  const { store } = context;
  const groupOf = async (projectId: string, id: string) => {
    const group = await findGroup(store.db, projectId, id);
    if (!group) throw orRefuse(groupNotFound(id));
    return group;
  };

  app.get(
    '/api/groups/:id/members',
    {
      schema: {
        tags: ['groups'],
        summary: "A page of a group's members, by person id",
        description:
          '`total` is counted when the first page is read and carried by `next_cursor`, so paging on costs the same per page however large the group.',
        security: [{ apiKey: ['query'] }],
        params: groupParams,
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            cursor: { type: 'string', description: '`next_cursor` of the previous page.' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              members: { type: 'array', items: member },
              total: { type: 'integer' },
              next_cursor: { type: ['string', 'null'] },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'query');
      const group = await groupOf(project.id, (request.params as { id: string }).id);
      const { limit, cursor } = request.query as { limit: number; cursor?: string };
      const kind = `group-members:${group.id}`;
      const persons = await groupPersons(store.db, project.id, Date.now());
      const position =
        cursor === undefined
          ? { after: 0, total: await countPersons(persons(group)) }
          : readPosition(decodeCursor(kind, cursor));
      const rows = await pagePersons(store.db, (ids) => persons(group, ids), position.after, limit + 1);
      const page = rows.slice(0, limit);
      const more = rows.length > limit;
      return {
        members: page.map(showMember),
        total: position.total,
        next_cursor: more
          ? encodeCursor(kind, { after: page[page.length - 1].person_id, total: position.total })
          : null,
      };
    },
  );

  app.get(
    '/api/groups/:id/members.csv',
    {
      schema: {
        tags: ['groups'],
        summary: "All of a group's members as CSV (person_id,user_id,first_seen,last_seen), streamed",
        security: [{ apiKey: ['query'] }],
        params: groupParams,
        response: {
          200: textAnswer('text/csv', 'person_id,user_id,first_seen,last_seen (UTF-8 with BOM).'),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { project } = await context.auth.apiKey(request, 'query');
      const group = await groupOf(project.id, (request.params as { id: string }).id);
      const persons = await groupPersons(store.db, project.id, Date.now());
      const lines = async function* () {
        yield `\uFEFF${csvLine(['person_id', 'user_id', 'first_seen', 'last_seen'])}`;
        for (let after = 0; ; ) {
          const page = await pagePersons(store.db, (ids) => persons(group, ids), after, EXPORT_PAGE);
          for (const row of page.map(showMember)) {
            yield csvLine([row.person_id, row.user_id, row.first_seen, row.last_seen]);
          }
          if (page.length < EXPORT_PAGE) return;
          after = page[page.length - 1].person_id;
        }
      };
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${group.id}-members.csv"`)
        .send(Readable.from(lines()));
    },
  );

  for (const change of ['add', 'remove'] as const) {
    const route = {
      schema: {
        tags: ['groups'],
        summary:
          change === 'add'
            ? 'Add user ids to a static group (unknown ones are kept pending)'
            : 'Take user ids out of a static group (members and pending ids)',
        security: [{ apiKey: ['admin'] }],
        params: groupParams,
        body: userIdsBody,
        response: { 200: groupOverview, ...errorResponses },
      },
    };
    const handler = async (request: FastifyRequest) => {
      const { project } = await context.auth.apiKey(request, 'admin');
      const { id } = request.params as { id: string };
      const userIds = orRefuse(checkUserIds((request.body as { user_ids: unknown }).user_ids));
      const now = Date.now();
      orRefuse(await changeStaticMembers({ store, projectId: project.id, now }, id, userIds, change));
      const group = await groupOf(project.id, id);
      return overviewGroup(store.db, group, await groupPersons(store.db, project.id, now), now);
    };
    if (change === 'add') app.post('/api/groups/:id/members', route, handler);
    else app.delete('/api/groups/:id/members', route, handler);
  }
}

/** A decoded members position, checked for shape (a cursor's checksum can only vouch for its text). */
function readPosition(position: unknown): MembersPosition {
  const { after, total } = (position ?? {}) as Partial<MembersPosition>;
  if (!Number.isSafeInteger(after) || !Number.isSafeInteger(total)) {
    throw new RequestError(
      'INVALID_CURSOR',
      'the cursor is not one this list gave out; start again without it',
    );
  }
  return { after: after as number, total: total as number };
}

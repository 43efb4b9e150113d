import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { RequestError } from '../../errors/error-codes.js';
import { readGroupChanges, readNewGroup } from '../../groups/group-input.js';
import { groupPersons, overviewGroup, summarizeGroup } from '../../groups/group-view.js';
import { readGroupCsv } from '../../groups/read-group-csv.js';
import { changeGroup, createGroup, groupNotFound, removeGroup } from '../../groups/user-groups.js';
import { findGroup, listGroups, listGroupsPage } from '../../storage/group-repository.js';
import type { AppContext } from '../app-context.js';
import { decodeCursor, encodeCursor, readKeyedPosition } from '../paging-cursor.js';
import { groupMemberRoutes } from './group-member-routes.js';
import { groupPreviewRoutes } from './group-preview-routes.js';
import {
  groupChangesBody,
  groupOverview,
  groupParams,
  groupSummary,
  newGroupBody,
  newGroupQuery,
  orRefuse,
} from './group-schemas.js';
import { errorResponses } from './route-schemas.js';

/** User groups (DESIGN §4): secret key with scope `query` to read, `admin` to change. */
export async function groupRoutes(app: FastifyInstance, { context }: { context: AppContext }): Promise<void> {
  const { store } = context;
  const personsOf = (projectId: string, now: number) => groupPersons(store.db, projectId, now);
  app.addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload));

  app.post(
    '/api/groups',
    {
      schema: {
        tags: ['groups'],
        summary:
          'Create a dynamic group (a condition) or a static one (user ids, a CSV, or the users of an import)',
        security: [{ apiKey: ['admin'] }],
        querystring: newGroupQuery,
        body: newGroupBody,
        response: { 201: groupOverview, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { project } = await context.auth.apiKey(request, 'admin');
      const query = request.query as { name?: string; encoding?: string; delimiter?: string };
      const isCsv = /^text\/csv/i.test(request.headers['content-type'] ?? '');
      let input: ReturnType<typeof readNewGroup>;
      if (isCsv) {
        if (query.name === undefined) throw new RequestError('INVALID_BODY', 'name the group with ?name=');
        const userIds = orRefuse(await readGroupCsv(request.body as Readable, query));
        input = readNewGroup({ name: query.name, user_ids: userIds });
      } else input = readNewGroup((request.body ?? {}) as Record<string, unknown>);
      const now = Date.now();
      const saved = orRefuse(await createGroup({ store, projectId: project.id, now }, orRefuse(input)));
      context.definitions.invalidate(project.id);
      const overview = await overviewGroup(store.db, saved.group, await personsOf(project.id, now), now);
      return reply.code(201).send({ ...overview, ...warningsOf(saved.warnings) });
    },
  );

  app.get(
    '/api/groups',
    {
      schema: {
        tags: ['groups'],
        summary:
          "The project's groups, by name, with how many users each holds now: all of them, or a page with `limit` (then `next_cursor`)",
        security: [{ apiKey: ['query'] }],
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 200 },
            cursor: { type: 'string', maxLength: 1000 },
            q: {
              type: 'string',
              maxLength: 200,
              description:
                'Only the groups whose name contains this text, ignoring case (with `limit`, a picker searches page by page).',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              groups: { type: 'array', items: groupSummary },
              next_cursor: {
                type: 'string',
                nullable: true,
                description: 'Only with `limit`: the cursor of the next page; null at the end.',
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'query');
      const { limit, cursor, q } = request.query as { limit?: number; cursor?: string; q?: string };
      const persons = await personsOf(project.id, Date.now());
      if (limit === undefined) {
        if (cursor !== undefined)
          throw new RequestError('INVALID_CURSOR', 'a "cursor" goes with the "limit" it was given with');
        const needle = q?.trim().toLowerCase();
        const groups = (await listGroups(store.db, project.id)).filter(
          (group) => !needle || group.name.toLowerCase().includes(needle),
        );
        return { groups: await Promise.all(groups.map((group) => summarizeGroup(group, persons))) };
      }
      const after = cursor === undefined ? undefined : groupPosition(decodeCursor('groups', cursor));
      const rows = await listGroupsPage(store.db, project.id, {
        limit: limit + 1,
        after,
        nameContains: q?.trim(),
      });
      const shown = rows.slice(0, limit);
      const last = shown[shown.length - 1];
      return {
        groups: await Promise.all(shown.map((group) => summarizeGroup(group, persons))),
        next_cursor: rows.length > limit && last ? encodeCursor('groups', [last.name, last.id]) : null,
      };
    },
  );

  app.get(
    '/api/groups/:id',
    {
      schema: {
        tags: ['groups'],
        summary: 'A group: its condition or pending user ids, users now, new and active users in 7 days',
        security: [{ apiKey: ['query'] }],
        params: groupParams,
        response: { 200: groupOverview, ...errorResponses },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'query');
      const { id } = request.params as { id: string };
      const group = await findGroup(store.db, project.id, id);
      if (!group) throw orRefuse(groupNotFound(id));
      const now = Date.now();
      return overviewGroup(store.db, group, await personsOf(project.id, now), now);
    },
  );

  app.patch(
    '/api/groups/:id',
    {
      schema: {
        tags: ['groups'],
        summary: "Rename a group, or replace a dynamic group's condition or a static group's user ids",
        security: [{ apiKey: ['admin'] }],
        params: groupParams,
        body: groupChangesBody,
        response: { 200: groupOverview, ...errorResponses },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'admin');
      const { id } = request.params as { id: string };
      const changes = orRefuse(readGroupChanges(request.body as Record<string, unknown>));
      const now = Date.now();
      const saved = orRefuse(await changeGroup({ store, projectId: project.id, now }, id, changes));
      context.definitions.invalidate(project.id);
      const overview = await overviewGroup(store.db, saved.group, await personsOf(project.id, now), now);
      return { ...overview, ...warningsOf(saved.warnings) };
    },
  );

  app.delete(
    '/api/groups/:id',
    {
      schema: {
        tags: ['groups'],
        summary: "Delete a group (409 GROUP_IN_USE while another group's condition uses it)",
        security: [{ apiKey: ['admin'] }],
        params: groupParams,
        response: { 204: { type: 'null', description: 'Deleted.' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { project } = await context.auth.apiKey(request, 'admin');
      const { id } = request.params as { id: string };
      orRefuse(await removeGroup({ store, projectId: project.id, now: Date.now() }, id));
      context.definitions.invalidate(project.id);
      return reply.code(204).send();
    },
  );

  await app.register(groupMemberRoutes, { context });
  await app.register(groupPreviewRoutes, { context });
}

function warningsOf(warnings: readonly unknown[]): { warnings?: readonly unknown[] } {
  return warnings.length > 0 ? { warnings } : {};
}

function groupPosition(position: unknown): { name: string; id: string } {
  const { first, id } = readKeyedPosition(position, 'string');
  return { name: first, id };
}

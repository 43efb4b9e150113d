import type { LightMyRequestResponse } from 'fastify';
import type { TestServer } from '../support/test-server.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

/** Calls of the group tests: the API with a secret key, tracking with the write key. */
export function groupClient(server: Pick<TestServer, 'app' | 'apiKey' | 'writeKey'>) {
  const call = (method: Method, url: string, payload?: unknown, key = server.apiKey) =>
    server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  return {
    call,
    /** POST /api/groups, expecting 201; answers the created group. */
    async create(body: Record<string, unknown>) {
      const response = await call('POST', '/api/groups', body);
      if (response.statusCode !== 201)
        throw new Error(`create group: ${response.statusCode} ${response.body}`);
      return response.json() as GroupAnswer;
    },
    async group(id: string) {
      return (await call('GET', `/api/groups/${id}`)).json() as GroupAnswer;
    },
    /** Every member's user id (or `#person_id` for anonymous persons), paging through the whole list. */
    async memberIds(id: string, limit = 1000) {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
        const page = (await call('GET', `/api/groups/${id}/members?limit=${limit}${query}`)).json() as {
          members: { person_id: number; user_id: string | null }[];
          next_cursor: string | null;
        };
        ids.push(...page.members.map((m) => m.user_id ?? `#${m.person_id}`));
        cursor = page.next_cursor;
      } while (cursor !== null);
      return ids.sort();
    },
    /** Bulk upload (scope upload) of user ids with attributes. */
    upload: (fieldNames: string[], values: unknown[][]) =>
      server.app.inject({
        method: 'POST',
        url: '/v1/user/profiles',
        headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ field_name: fieldNames, values }),
      }),
    batch: (batch: unknown[]) =>
      server.app.inject({ method: 'POST', url: '/v1/batch', payload: { writeKey: server.writeKey, batch } }),
    csv: (url: string, body: string): Promise<LightMyRequestResponse> =>
      server.app.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'text/csv' },
        payload: body,
      }),
  };
}

export interface GroupAnswer {
  id: string;
  name: string;
  type: 'dynamic' | 'static';
  users: number;
  pending?: number;
  new_users_7d: number;
  active_users_7d: number;
  condition?: unknown;
  import_id?: string;
  warnings?: { pointer: string; code: string; message: string }[];
}

/** An ISO time `days` before now (behaviour windows are relative to now). */
export const daysAgo = (days: number) => new Date(Date.now() - days * 24 * 60 * 60 * 1000).toISOString();

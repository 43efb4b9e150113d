import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../src/http/build-app.js';
import { createApiKey, createProject } from '../../src/projects/create-project.js';
import { findPersonByUserId } from '../../src/storage/identity-repository.js';
import type { Store } from '../../src/storage/store.js';
import { type Backend, describeEachBackend, openTestStore } from '../support/test-stores.js';

interface Route {
  method: string;
  url: string;
}

/**
 * The scope each server-API route needs, by the rule: reads (GET, and POSTs that only read) need
 * `query`, changes need `admin`, imports and bulk uploads need `upload`. Exceptions, with why:
 */
const SCOPE_EXCEPTIONS: Record<string, string> = {
  // Listing a project's keys shows who can change it: an admin's business.
  'GET /api/keys': 'admin',
  // The project's settings hold its identity secret.
  'GET /api/project': 'admin',
  // Who repaired which identity, by which key.
  'GET /api/admin/audit-log': 'admin',
  // A person's whole data at once (right of access) is handed out by admins.
  'GET /api/users/:userId/export': 'admin',
  'GET /api/persons/:personId/export': 'admin',
};
const UPLOAD_ROUTES = /^\/(api\/imports|v1\/user\/profiles)/;

function expectedScope(route: Route, readOnly: boolean): string {
  const exception = SCOPE_EXCEPTIONS[`${route.method} ${route.url}`];
  if (exception) return exception;
  if (UPLOAD_ROUTES.test(route.url)) return 'upload';
  return route.method === 'GET' || readOnly ? 'query' : 'admin';
}

/** Refusals before any project is known: with a body schema, a 400 for the body may come first. */
const REFUSED_WITHOUT_KEY = [401, 400, 415];

describeEachBackend(
  'isolation matrix from the route table',
  (backend: Backend) => {
    const routes: (Route & { readOnly: boolean })[] = [];
    let app: FastifyInstance;
    let store: Store;
    let cleanup: () => Promise<void>;
    const a = { writeKey: '', full: '', query: '', upload: '', admin: '' };
    /** Project B's ids and contents: none may appear in an answer to A. */
    const b = {
      projectId: '',
      writeKey: '',
      apiKey: '',
      personId: 0,
      keyId: '',
      jobId: '',
      markers: [] as string[],
    };

    beforeAll(async () => {
      ({ store, cleanup } = await openTestStore(backend));
      app = await buildApp({
        store,
        onRoute: (route) => {
          for (const method of [route.method].flat())
            if (method !== 'HEAD' && method !== 'OPTIONS')
              routes.push({ method, url: route.url, readOnly: route.config?.readOnly === true });
        },
      });
      await app.ready();
      const projectA = await createProject(store, 'A');
      const projectB = await createProject(store, 'B');
      Object.assign(a, {
        writeKey: projectA.write_key,
        full: projectA.api_key,
        query: (await createApiKey(store.db, projectA.project_id, 'q', ['query'])).key,
        upload: (await createApiKey(store.db, projectA.project_id, 'u', ['upload'])).key,
        admin: (await createApiKey(store.db, projectA.project_id, 'a', ['admin'])).key,
      });
      const sent = await app.inject({
        method: 'POST',
        url: '/v1/identify',
        payload: {
          writeKey: projectB.write_key,
          userId: 'user-b',
          anonymousId: 'anon-b',
          traits: { b_marker_attribute: 'b-secret-value' },
        },
      });
      expect(sent.statusCode).toBe(200);
      await app.ingestion.settled();
      const job = await app.inject({
        method: 'POST',
        url: '/api/imports',
        headers: { authorization: `Bearer ${projectB.api_key}`, 'content-type': 'text/csv' },
        payload: 'user_id,b_import_marker\nuser-b-imported,b-import-value\n',
      });
      expect(job.statusCode).toBe(200);
      const bKey = await createApiKey(store.db, projectB.project_id, 'b-key', ['query']);
      const person = await findPersonByUserId(store.db, projectB.project_id, 'user-b');
      Object.assign(b, {
        projectId: projectB.project_id,
        writeKey: projectB.write_key,
        apiKey: projectB.api_key,
        personId: Number(person?.id),
        keyId: bKey.id,
        jobId: job.json().id,
      });
      b.markers = [
        'user-b',
        'anon-b',
        'b-secret-value',
        'b-import-value',
        b.projectId,
        b.writeKey,
        b.keyId,
        b.jobId,
      ];
    }, 60_000);
    afterAll(async () => {
      await app.close();
      await cleanup();
    });

    /** The route's URL with B's ids in its parameters; a parameter with no B id fails the test. */
    const withIdsOfB = (url: string) =>
      url.replace(/:(\w+)/g, (_, name: string) => {
        if (name === 'userId') return 'user-b';
        if (name === 'personId') return String(b.personId);
        if (name === 'name') return 'b_marker_attribute';
        if (name === 'id' && url.startsWith('/api/imports/')) return b.jobId;
        if (name === 'id' && url.startsWith('/api/keys/')) return b.keyId;
        if (name === 'id' && url.startsWith('/api/ingestion/failed/')) return '1';
        throw new Error(`no id of project B for :${name} in ${url}: add one to the isolation matrix`);
      });
    const call = (route: Route, authorization: string | undefined): Promise<LightMyRequestResponse> =>
      app.inject({
        method: route.method as 'GET',
        url: withIdsOfB(route.url),
        headers: authorization ? { authorization } : {},
        ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }),
      });
    const secretRoutes = () => routes.filter((r) => r.url.startsWith('/api/') || UPLOAD_ROUTES.test(r.url));
    /** No 5xx, and none of B's ids or values, except an id the request itself named (echoed in a 404). */
    const expectNothingOfB = (route: Route, response: LightMyRequestResponse) => {
      expect(response.statusCode, `${route.method} ${route.url}`).toBeLessThan(500);
      const asked = withIdsOfB(route.url);
      for (const marker of b.markers) {
        if (response.statusCode >= 400 && asked.includes(marker)) continue;
        expect(response.body.includes(marker), `${route.method} ${route.url} shows ${marker}`).toBe(false);
      }
    };

    it(`${backend}: the route table holds the server API`, () => {
      expect(secretRoutes().length).toBeGreaterThan(20);
      expect(routes).toContainEqual(expect.objectContaining({ method: 'DELETE', url: '/api/users/:userId' }));
    });

    it(`${backend}: no key, and a write key (Basic or Bearer), reach no server-API route`, async () => {
      const basic = `Basic ${Buffer.from(`${a.writeKey}:`).toString('base64')}`;
      for (const route of secretRoutes()) {
        for (const authorization of [undefined, basic, `Bearer ${a.writeKey}`]) {
          const response = await call(route, authorization);
          const allowed = route.method === 'GET' || route.method === 'DELETE' ? [401] : REFUSED_WITHOUT_KEY;
          expect(
            allowed,
            `${route.method} ${route.url} with ${authorization ?? 'no key'}: ${response.statusCode}`,
          ).toContain(response.statusCode);
          expectNothingOfB(route, response);
        }
      }
    }, 120_000);

    it(`${backend}: project A's keys never read nor change B's data through B's ids`, async () => {
      const before = await snapshotOfB();
      for (const route of secretRoutes()) {
        for (const key of [a.full, a.query, a.upload, a.admin]) {
          const response = await call(route, `Bearer ${key}`);
          expectNothingOfB(route, response);
          if (/:(userId|personId|id)\b/.test(route.url))
            expect([400, 403, 404, 409], `${route.method} ${route.url}: ${response.statusCode}`).toContain(
              response.statusCode,
            );
        }
      }
      expect(await snapshotOfB()).toEqual(before);
    }, 120_000);

    it(`${backend}: scopes hold — each route takes exactly the scope it needs`, async () => {
      const wrong: string[] = [];
      for (const route of secretRoutes()) {
        const wanted = expectedScope(route, route.readOnly);
        for (const [scope, key] of [
          ['query', a.query],
          ['upload', a.upload],
          ['admin', a.admin],
        ] as const) {
          const response = await call(route, `Bearer ${key}`);
          const status = response.statusCode;
          // A wrong scope is refused (403), or its empty body first (400) where the body is checked
          // before the key; never let through. The right scope is never refused for its key.
          const ok =
            scope === wanted
              ? status !== 401 && status !== 403
              : status === 403 || (REFUSED_WITHOUT_KEY.includes(status) && route.method !== 'GET');
          if (!ok)
            wrong.push(`${route.method} ${route.url} with a ${scope} key: ${status} (needs ${wanted})`);
        }
      }
      expect(wrong).toEqual([]);
    }, 120_000);

    /** What B holds, read with B's own key. */
    async function snapshotOfB() {
      const read = async (url: string) =>
        (await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${b.apiKey}` } })).json();
      return {
        profile: await read('/api/users/user-b'),
        imported: await read('/api/users/user-b-imported'),
        attributes: await read('/api/attributes'),
        keys: await read('/api/keys'),
        job: await read(`/api/imports/${b.jobId}`),
      };
    }
  },
  {},
);

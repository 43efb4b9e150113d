import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOwner } from '../../src/accounts/first-run-setup.js';
import { inviteAccount } from '../../src/accounts/invitations.js';
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
  // Webhook subscriptions name where the project's data is sent, and their delivery log: admin's.
  'GET /api/webhooks': 'admin',
  'GET /api/webhooks/:id': 'admin',
  'GET /api/webhooks/:id/deliveries': 'admin',
  // A link that shows a draft to whoever opens it is handed out by admins (it writes nothing, so
  // it is not refused while ingestion is behind).
  'POST /api/experiences/:id/preview-link': 'admin',
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

/**
 * Routes that by design take no project from an API key, with why. They are still called with
 * every key and must show none of B's ids or values; an API key may be refused by them (401).
 */
const NOT_PROJECT_SCOPED: Record<string, string> = {
  // First-run setup: whether an owner exists, and its one-time token; no project data.
  'GET /api/setup': 'install-wide, answers only whether setup is needed',
  'POST /api/setup': 'install-wide, takes the one-time setup token, not a key',
  // Dashboard sign-in and sign-out work on the session cookie, never on an API key.
  'POST /api/session': 'sign-in takes e-mail and password, not a key',
  'GET /api/session': 'the signed-in account of a session cookie',
  'DELETE /api/session': 'signs out a session cookie',
  // Accounts and invitations belong to the install, managed by signed-in owners and admins only.
  'GET /api/accounts': 'session only: accounts are install-wide',
  'DELETE /api/accounts/:id': 'session only: accounts are install-wide',
  'GET /api/invitations': 'session only: invitations are install-wide',
  'POST /api/invitations': 'session only: invitations are install-wide',
  'DELETE /api/invitations/:id': 'session only: invitations are install-wide',
  'POST /api/invitations/accept': 'takes the invitation token, not a key',
  // With a key, the list of projects is the key's own project only; creating one needs a session.
  'GET /api/projects': 'a key sees only its own project',
  'POST /api/projects': 'session only: a new project belongs to no key yet',
};

/**
 * Valid bodies for the routes that take no API key, so that their refusal of a key (or of no
 * credentials) must come before the body matters: a session-only route that wrongly accepted a
 * key would then go on to act, and cannot pass by refusing an empty body with 400.
 */
const VALID_BODIES: Record<string, object> = {
  'POST /api/invitations': { role: 'viewer', email: 'invited-by-a-key@example.com' },
  'POST /api/projects': { name: 'made with a key' },
  'POST /api/setup': { token: 'not-the-setup-token', email: 'a@example.com', password: 'a-password-1234' },
  'POST /api/session': { email: 'owner-b@example.com', password: 'not-the-password-1' },
  'POST /api/invitations/accept': {
    token: 'not-an-invitation-token',
    email: 'a@example.com',
    password: 'a-password-1234',
  },
};
/**
 * What the routes that take a token or a password (not a key) answer to the valid bodies above,
 * whatever key comes with them: the install has an owner (setup is done), the password and the
 * invitation token are wrong.
 */
const REFUSED_BY_TOKEN: Record<string, number[]> = {
  'POST /api/setup': [409],
  'POST /api/session': [401],
  'POST /api/invitations/accept': [404],
};
/** Refusals of a session-only route called with no session, whatever the credentials. */
const REFUSED_WITHOUT_SESSION = [401, 403];
const isSessionOnly = (route: Route) =>
  NOT_PROJECT_SCOPED[`${route.method} ${route.url}`]?.startsWith('session only') === true;

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
      experienceId: '',
      webhookId: '',
      deliveryId: '',
      groupId: '',
      accountId: '',
      invitationId: '',
      markers: [] as string[],
    };

    beforeAll(async () => {
      ({ store, cleanup } = await openTestStore(backend));
      app = await buildApp({
        store,
        // Limits high enough that the matrix measures isolation, not rate limits.
        config: {
          apiKeyRateLimitPerSecond: 1e6,
          failedKeyRateLimitPerSecond: 1e6,
          decideRateLimitPerSecond: 1e6,
          rateLimitPerSecond: 1e6,
          rateLimitBurst: 1e6,
          webhooksAllowPrivate: true,
        },
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
      const asB = async (method: 'POST' | 'GET', url: string, payload?: object) => {
        const response = await app.inject({
          method,
          url,
          headers: { authorization: `Bearer ${projectB.api_key}` },
          ...(payload ? { payload } : {}),
        });
        expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
        return response.json();
      };
      const experience = await asB('POST', '/api/experiences', {
        name: 'b-experience-marker',
        type: 'banner',
        pages: { match: 'all' },
        target: { everyone: true },
        variants: [{ name: 'gold', weight: 100, content: { html: '<p>b-experience-html</p>' } }],
      });
      // A loopback address that refuses the connection: the test delivery fails, but is logged.
      const webhook = await asB('POST', '/api/webhooks', {
        url: 'http://127.0.0.1:9/b-webhook-marker',
        events: ['user.merged'],
      });
      const delivery = await asB('POST', `/api/webhooks/${webhook.id}/test`);
      const group = await asB('POST', '/api/groups', { name: 'b-group-marker', user_ids: ['user-b'] });
      const owner = await createOwner(store, { email: 'owner-b@example.com', password: 'b-password-1234' });
      if (!owner.ok) throw new Error(owner.message);
      const invitation = await inviteAccount(store, {
        role: 'viewer',
        email: 'invited-b@example.com',
        createdBy: owner.account.id,
      });
      const bKey = await createApiKey(store.db, projectB.project_id, 'b-key', ['query']);
      const person = await findPersonByUserId(store.db, projectB.project_id, 'user-b');
      Object.assign(b, {
        projectId: projectB.project_id,
        writeKey: projectB.write_key,
        apiKey: projectB.api_key,
        personId: Number(person?.id),
        keyId: bKey.id,
        jobId: job.json().id,
        experienceId: experience.id,
        webhookId: webhook.id,
        deliveryId: delivery.delivery_id,
        groupId: group.id,
        accountId: owner.account.id,
        invitationId: invitation.id,
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
        b.experienceId,
        b.webhookId,
        b.deliveryId,
        b.groupId,
        b.accountId,
        b.invitationId,
        'b-experience-marker',
        'b-experience-html',
        'b-webhook-marker',
        'b-group-marker',
        'owner-b@example.com',
        'invited-b@example.com',
        invitation.token,
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
        if (name === 'id' && url.startsWith('/api/experiences/')) return b.experienceId;
        if (name === 'id' && url.startsWith('/api/webhooks/')) return b.webhookId;
        if (name === 'delivery_id') return b.deliveryId;
        if (name === 'id' && url.startsWith('/api/groups/')) return b.groupId;
        if (name === 'id' && url.startsWith('/api/accounts/')) return b.accountId;
        if (name === 'id' && url.startsWith('/api/invitations/')) return b.invitationId;
        throw new Error(`no id of project B for :${name} in ${url}: add one to the isolation matrix`);
      });
    const call = (route: Route, authorization: string | undefined): Promise<LightMyRequestResponse> =>
      app.inject({
        method: route.method as 'GET',
        url: withIdsOfB(route.url),
        headers: authorization ? { authorization } : {},
        ...(route.method === 'GET' || route.method === 'DELETE'
          ? {}
          : { payload: VALID_BODIES[`${route.method} ${route.url}`] ?? {} }),
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
          expectNothingOfB(route, response);
          const refused =
            route.method === 'GET' || route.method === 'DELETE'
              ? [401]
              : isSessionOnly(route)
                ? REFUSED_WITHOUT_SESSION
                : REFUSED_WITHOUT_KEY;
          // Of the routes that take no key, only setup's "is it needed?" answers without credentials.
          const name = `${route.method} ${route.url}`;
          const allowed = name === 'GET /api/setup' ? [200] : (REFUSED_BY_TOKEN[name] ?? refused);
          expect(
            allowed,
            `${route.method} ${route.url} with ${authorization ?? 'no key'}: ${response.statusCode}`,
          ).toContain(response.statusCode);
        }
      }
    }, 120_000);

    it(`${backend}: project A's keys never read nor change B's data through B's ids`, async () => {
      const before = await snapshotOfB();
      for (const route of secretRoutes()) {
        for (const key of [a.full, a.query, a.upload, a.admin]) {
          const response = await call(route, `Bearer ${key}`);
          expectNothingOfB(route, response);
          // A route that takes no API key may refuse the key itself (401).
          const refusals = NOT_PROJECT_SCOPED[`${route.method} ${route.url}`] ? [401] : [];
          if (/:(userId|personId|id|delivery_id)\b/.test(route.url))
            expect(
              [400, 403, 404, 409, ...refusals],
              `${route.method} ${route.url}: ${response.statusCode}`,
            ).toContain(response.statusCode);
        }
      }
      expect(await snapshotOfB()).toEqual(before);
    }, 120_000);

    it(`${backend}: scopes hold — each route takes exactly the scope it needs`, async () => {
      const wrong: string[] = [];
      for (const route of secretRoutes()) {
        const notScoped = NOT_PROJECT_SCOPED[`${route.method} ${route.url}`];
        if (notScoped) {
          // A session-only route takes no API key of any scope, refused before its (valid) body matters.
          const refused =
            route.method === 'GET' || route.method === 'DELETE' ? [401] : REFUSED_WITHOUT_SESSION;
          if (isSessionOnly(route))
            for (const key of [a.query, a.upload, a.admin, a.full]) {
              const status = (await call(route, `Bearer ${key}`)).statusCode;
              if (!refused.includes(status))
                wrong.push(`${route.method} ${route.url} with an API key: ${status}`);
            }
          continue;
        }
        const wanted = expectedScope(route, route.readOnly);
        for (const [scope, key] of [
          ['query', a.query],
          ['upload', a.upload],
          ['admin', a.admin],
        ] as const) {
          const response = await call(route, `Bearer ${key}`);
          const status = response.statusCode;
          // A wrong scope is refused (403) before the body is looked at; never let through. The
          // right scope is never refused for its key.
          const ok = scope === wanted ? status !== 401 && status !== 403 : status === 403;
          if (!ok)
            wrong.push(`${route.method} ${route.url} with a ${scope} key: ${status} (needs ${wanted})`);
        }
      }
      expect(wrong.join('\n')).toEqual('');
    }, 120_000);

    /** What B holds, read with B's own key. */
    async function snapshotOfB() {
      const read = async (url: string) =>
        (await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${b.apiKey}` } })).json();
      return {
        // Rotations by A's keys leave B's write key and identity secret as they were.
        project: await read('/api/project'),
        profile: await read('/api/users/user-b'),
        imported: await read('/api/users/user-b-imported'),
        attributes: await read('/api/attributes'),
        keys: await read('/api/keys'),
        job: await read(`/api/imports/${b.jobId}`),
        experience: await read(`/api/experiences/${b.experienceId}`),
        webhook: await read(`/api/webhooks/${b.webhookId}`),
        group: await read(`/api/groups/${b.groupId}`),
        members: await read(`/api/groups/${b.groupId}/members`),
      };
    }
  },
  {},
);

import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApiKey } from '../../src/projects/create-project.js';
import { API_KEY_SCOPES, type ApiKeyScope } from '../../src/projects/keys.js';
import { type SessionClient, sessionClient, setUpOwner } from '../dashboard/support/session-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import { basicAuth } from './api-client.js';

/** A route of the app's route table that takes a secret API key, with the scope it names. */
interface KeyRoute {
  method: string;
  url: string;
  scopes: string[];
}

/** A body no route accepts: valid JSON, but never the object a schema wants. */
const BAD_BODY = '[1, "not what this route takes"]';

describeEachBackend('authorization before validation', (backend) => {
  let server: TestServer;
  const keyRoutes: KeyRoute[] = [];
  /** A key with every scope but one, by the scope it lacks; and a key with only that scope. */
  const without = new Map<ApiKeyScope, string>();
  const only = new Map<ApiKeyScope, string>();

  beforeAll(async () => {
    server = await startTestServer({
      backend,
      listen: false,
      onRoute: (route) => {
        const security = (route.schema?.security ?? []) as Record<string, string[]>[];
        const requirement = security.find((r) => 'apiKey' in r);
        if (!requirement) return;
        for (const method of [route.method].flat())
          if (method !== 'HEAD') keyRoutes.push({ method, url: route.url, scopes: requirement.apiKey });
      },
    });
    for (const scope of API_KEY_SCOPES) {
      const others = API_KEY_SCOPES.filter((s) => s !== scope);
      without.set(scope, (await createApiKey(server.store.db, server.projectId, `no ${scope}`, others)).key);
      only.set(scope, (await createApiKey(server.store.db, server.projectId, `${scope} only`, [scope])).key);
    }
  });
  afterAll(() => server?.close());

  /** The route called with `key` and a body it refuses (made-up path parameters). */
  const call = (route: { method: string; url: string }, authorization: string) =>
    server.app.inject({
      method: route.method as InjectOptions['method'],
      url: route.url.replace(/:\w+/g, 'made-up-1'),
      headers: { authorization, 'content-type': 'application/json' },
      ...(route.method === 'GET' ? {} : { payload: BAD_BODY }),
    });

  it(`${backend}: every route that takes an API key names the one scope it needs`, () => {
    expect(keyRoutes.length).toBeGreaterThan(40);
    const unnamed = keyRoutes.filter(
      (r) => r.scopes.length !== 1 || !(API_KEY_SCOPES as readonly string[]).includes(r.scopes[0]),
    );
    expect(unnamed.map((r) => `${r.method} ${r.url}`)).toEqual([]);
  });

  it(`${backend}: a key without the route's scope gets 403 before its bad body is looked at, on every route`, async () => {
    const answers: string[] = [];
    for (const route of keyRoutes) {
      const scope = route.scopes[0] as ApiKeyScope;
      const answer = await call(route, `Bearer ${without.get(scope)}`);
      answers.push(`${route.method} ${route.url} ${answer.statusCode} ${answer.json().error?.code}`);
    }
    expect(answers).toEqual(keyRoutes.map((r) => `${r.method} ${r.url} 403 API_KEY_SCOPE`));
  });

  it(`${backend}: the scope a route names is the one its handler asks for, and bad input is never a 500`, async () => {
    for (const route of keyRoutes) {
      const answer = await call(route, `Bearer ${only.get(route.scopes[0] as ApiKeyScope)}`);
      expect(answer.statusCode, `${route.method} ${route.url}: ${answer.body}`).not.toBe(403);
      expect(answer.statusCode, `${route.method} ${route.url}: ${answer.body}`).toBeLessThan(500);
    }
  });

  it(`${backend}: the OpenAPI document states each operation's scope, with an empty security list`, async () => {
    const doc = (await server.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { security?: unknown; description?: string }>>;
    };
    for (const route of keyRoutes) {
      const operation = doc.paths[route.url.replace(/:(\w+)/g, '{$1}')][route.method.toLowerCase()];
      expect(operation.security, `${route.method} ${route.url}`).toEqual([{ apiKey: [] }]);
      expect(operation.description, `${route.method} ${route.url}`).toContain(
        `Needs an API key with the \`${route.scopes[0]}\` scope`,
      );
    }
  });

  it(`${backend}: tracking, upload, groups, experiences and webhooks check the key first`, async () => {
    const queryKey = `Bearer ${only.get('query')}`;
    const refused = async (method: 'POST' | 'PUT', url: string, authorization: string) => {
      const answer = await server.app.inject({
        method,
        url,
        headers: { authorization, 'content-type': 'application/json' },
        payload: BAD_BODY,
      });
      return [answer.statusCode, answer.json().error.code];
    };
    // Tracking takes a write key: a secret key in its place is refused before the body is parsed.
    expect(await refused('POST', '/v1/batch', basicAuth(only.get('admin') as string))).toEqual([
      401,
      'UNKNOWN_WRITE_KEY',
    ]);
    expect(await refused('POST', '/v1/track', basicAuth('wk_made_up'))).toEqual([401, 'UNKNOWN_WRITE_KEY']);
    expect(await refused('POST', '/v1/user/profiles', queryKey)).toEqual([403, 'API_KEY_SCOPE']);
    expect(await refused('POST', '/api/groups', queryKey)).toEqual([403, 'API_KEY_SCOPE']);
    expect(await refused('POST', '/api/experiences', queryKey)).toEqual([403, 'API_KEY_SCOPE']);
    expect(await refused('POST', '/api/webhooks', queryKey)).toEqual([403, 'API_KEY_SCOPE']);
    expect(await refused('POST', '/api/groups', 'Bearer sk_made_up')).toEqual([401, 'INVALID_API_KEY']);
    // With the right scope, the same bad body is a 400.
    const admin = `Bearer ${only.get('admin')}`;
    expect((await refused('POST', '/api/groups', admin))[0]).toBe(400);
    expect((await refused('POST', '/api/webhooks', admin))[0]).toBe(400);
  });

  it(`${backend}: a viewer's session is refused a change before its bad body is looked at`, async () => {
    const owner = await setUpOwner(server.app, server.store, server.projectId);
    const invitation = await owner.send('POST', '/api/invitations', { role: 'viewer' });
    const accepted = await server.app.inject({
      method: 'POST',
      url: '/api/invitations/accept',
      payload: {
        token: invitation.json().token,
        email: 'viewer@shop.example',
        password: 'viewer password 1',
      },
    });
    const viewer: SessionClient = sessionClient(server.app, accepted, server.projectId);
    for (const url of ['/api/groups', '/api/experiences', '/api/webhooks']) {
      const answer = await viewer.send('POST', url, JSON.parse(BAD_BODY));
      expect([url, answer.statusCode, answer.json().error.code]).toEqual([url, 403, 'ROLE_FORBIDDEN']);
    }
    expect((await owner.send('POST', '/api/groups', JSON.parse(BAD_BODY))).statusCode).toBe(400);
  });
});

import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { issueSetupToken } from '../../src/accounts/first-run-setup.js';
import { createProject } from '../../src/projects/create-project.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import { OWNER, type SessionClient, sessionClient, sessionCookieOf } from './support/session-client.js';

describeEachBackend('dashboard accounts and sessions', (backend) => {
  let server: TestServer;
  let owner: SessionClient;
  beforeAll(async () => {
    server = await startTestServer({ backend, listen: false });
  });
  afterAll(() => server?.close());
  const inject = (options: InjectOptions) => server.app.inject(options);

  it(`${backend}: first-run setup needs the one-time token, works once, then says it is done`, async () => {
    expect((await inject({ method: 'GET', url: '/api/setup' })).json()).toEqual({ needed: true });
    const token = await issueSetupToken(server.store);
    const wrong = await inject({ method: 'POST', url: '/api/setup', payload: { token: 'guess', ...OWNER } });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.code).toBe('INVALID_SETUP_TOKEN');
    const weak = await inject({
      method: 'POST',
      url: '/api/setup',
      payload: { token, email: OWNER.email, password: 'short' },
    });
    expect(weak.json().error.code).toBe('WEAK_PASSWORD');

    const done = await inject({ method: 'POST', url: '/api/setup', payload: { token, ...OWNER } });
    expect(done.statusCode).toBe(201);
    expect(done.json().account).toMatchObject({ email: OWNER.email, role: 'owner' });
    const cookie = String(done.headers['set-cookie']);
    expect(cookie).toMatch(/^acquaint_session=[\w-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
    owner = sessionClient(server.app, done, server.projectId);

    expect((await inject({ method: 'GET', url: '/api/setup' })).json()).toEqual({ needed: false });
    const again = await inject({ method: 'POST', url: '/api/setup', payload: { token, ...OWNER } });
    expect(again.json().error.code).toBe('SETUP_DONE');
    expect(await issueSetupToken(server.store)).toBeNull();
  });

  it(`${backend}: sign-in refuses a wrong password and accepts the right one`, async () => {
    const wrong = await inject({
      method: 'POST',
      url: '/api/session',
      payload: { ...OWNER, password: 'wrong password' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('INVALID_CREDENTIALS');
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const unknown = await inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: 'nobody@x.example', password: 'whatever1234' },
    });
    expect(unknown.json().error).toEqual(wrong.json().error);

    const right = await inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: ' Owner@Shop.example ', password: OWNER.password },
    });
    expect(right.statusCode).toBe(200);
    const session = sessionClient(server.app, right, server.projectId);
    expect((await session.get('/api/session')).json().account.email).toBe(OWNER.email);
  });

  it(`${backend}: a session works on the API routes with the project header, and only for real projects`, async () => {
    expect((await owner.get('/api/stats/identification')).statusCode).toBe(200);
    const noProject = await inject({
      method: 'GET',
      url: '/api/attributes',
      headers: { cookie: owner.cookie },
    });
    expect(noProject.json().error.code).toBe('PROJECT_REQUIRED');
    const unknown = await inject({
      method: 'GET',
      url: '/api/attributes',
      headers: { cookie: owner.cookie, 'x-acquaint-project': 'prj_elsewhere' },
    });
    expect(unknown.statusCode).toBe(404);
    const noSession = await inject({
      method: 'GET',
      url: '/api/attributes',
      headers: { cookie: 'acquaint_session=forged' },
    });
    expect(noSession.json().error.code).toBe('NOT_SIGNED_IN');
  });

  it(`${backend}: a change needs the CSRF token and the server's own origin`, async () => {
    const body = { name: 'reporting', scopes: ['query'] };
    const headers = { cookie: owner.cookie, 'x-acquaint-project': server.projectId, host: 'localhost:80' };
    const noToken = await inject({
      method: 'POST',
      url: '/api/keys',
      headers: { ...headers, origin: 'http://localhost:80' },
      payload: body,
    });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json().error.code).toBe('CSRF_REFUSED');
    const foreign = await inject({
      method: 'POST',
      url: '/api/keys',
      headers: { ...headers, origin: 'https://evil.example', 'x-csrf-token': owner.csrfToken },
      payload: body,
    });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().error.message).toContain('evil.example');
    const viaReferer = await inject({
      method: 'POST',
      url: '/api/keys',
      headers: { ...headers, referer: 'https://evil.example/page', 'x-csrf-token': owner.csrfToken },
      payload: body,
    });
    expect(viaReferer.statusCode).toBe(403);
    const good = await owner.send('POST', '/api/keys', body);
    expect(good.statusCode).toBe(201);
    const keys = (await owner.get('/api/keys')).json().keys as { name: string }[];
    expect(keys.map((k) => k.name)).toContain('reporting');
  });

  it(`${backend}: a viewer invited by link reads but is refused changes`, async () => {
    const invitation = await owner.send('POST', '/api/invitations', { role: 'viewer' });
    expect(invitation.statusCode).toBe(201);
    const { token } = invitation.json() as { token: string };
    const accept = (email: string) =>
      inject({
        method: 'POST',
        url: '/api/invitations/accept',
        payload: { token, email, password: 'viewer password 1' },
      });
    const accepted = await accept('viewer@shop.example');
    expect(accepted.statusCode).toBe(201);
    expect(accepted.json().account.role).toBe('viewer');
    expect((await accept('second@shop.example')).json().error.code).toBe('INVALID_INVITATION');

    const viewer = sessionClient(server.app, accepted, server.projectId);
    expect((await viewer.get('/api/attributes')).statusCode).toBe(200);
    const refused = await viewer.send('PUT', '/api/attributes/age', { type: 'number' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('ROLE_FORBIDDEN');
    expect((await viewer.send('POST', '/api/invitations', { role: 'admin' })).statusCode).toBe(403);
    expect((await viewer.get('/api/accounts')).statusCode).toBe(403);
    const accounts = (await owner.get('/api/accounts')).json().accounts as { email: string; role: string }[];
    expect(accounts.map((a) => [a.email, a.role])).toEqual([
      [OWNER.email, 'owner'],
      ['viewer@shop.example', 'viewer'],
    ]);
  });

  it(`${backend}: projects are listed for the session, created by an owner, and switch by header`, async () => {
    const created = await owner.send('POST', '/api/projects', { name: 'Second shop' });
    expect(created.statusCode).toBe(201);
    const second = created.json() as { id: string; write_key: string };
    const listed = (await owner.get('/api/projects')).json().projects as { id: string; name: string }[];
    expect(listed.map((p) => p.name)).toEqual(['Test site', 'Second shop']);
    const inSecond = await inject({
      method: 'GET',
      url: '/api/stats/identification',
      headers: { cookie: owner.cookie, 'x-acquaint-project': second.id },
    });
    expect(inSecond.json().persons).toBe(0);
    // An API key sees only its own project.
    const byKey = await inject({
      method: 'GET',
      url: '/api/projects',
      headers: { authorization: `Bearer ${server.apiKey}` },
    });
    expect(byKey.json().projects.map((p: { id: string }) => p.id)).toEqual([server.projectId]);
    const other = await createProject(server.store, 'Third');
    expect(other.project_id).not.toBe(second.id);
  });

  it(`${backend}: signing out ends the session at once`, async () => {
    const signIn = await inject({ method: 'POST', url: '/api/session', payload: OWNER });
    const session = sessionClient(server.app, signIn, server.projectId);
    const out = await session.send('DELETE', '/api/session');
    expect(out.statusCode).toBe(200);
    expect(sessionCookieOf(out)).toBe('acquaint_session=');
    expect((await session.get('/api/attributes')).json().error.code).toBe('NOT_SIGNED_IN');
  });

  it(`${backend}: sign-in attempts are rate limited per address`, async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const answer = await inject({
        method: 'POST',
        url: '/api/session',
        remoteAddress: '10.9.8.7',
        payload: { email: `guess${i}@shop.example`, password: 'not the password' },
      });
      statuses.push(answer.statusCode);
      if (answer.statusCode === 429) expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });
});

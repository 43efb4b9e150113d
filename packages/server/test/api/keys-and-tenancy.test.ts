import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CreatedProject, createApiKey, createProject } from '../../src/projects/create-project.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import { apiClient, at } from './api-client.js';

describeEachBackend('API keys and tenant isolation', (backend) => {
  let server: TestServer;
  let api: ReturnType<typeof apiClient>;
  let other: CreatedProject;
  let otherApi: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    server = await startTestServer({ backend, listen: false });
    api = apiClient(server);
    other = await createProject(server.store, 'Other site');
    otherApi = apiClient({ app: server.app, writeKey: other.write_key, apiKey: other.api_key });
    await api.batch([
      {
        type: 'identify',
        anonymousId: 'anon-phone',
        userId: 'user-42',
        traits: { plan: 'gold' },
        timestamp: at(0),
      },
      { type: 'track', userId: 'user-42', event: 'Bought', timestamp: at(1) },
    ]);
  });
  afterAll(() => server.close());

  it(`${backend}: an API key needs the scope of the route`, async () => {
    const upload = await createApiKey(server.store.db, server.projectId, 'crm sync', ['upload']);
    const forbidden = await api.get('/api/users', upload.key);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().error).toMatchObject({
      code: 'API_KEY_SCOPE',
      message: expect.stringContaining('"query"'),
    });
    expect((await api.get('/api/users/user-42', upload.key)).statusCode).toBe(403);

    const query = await createApiKey(server.store.db, server.projectId, 'reports', ['query']);
    expect((await api.get('/api/users/user-42', query.key)).statusCode).toBe(200);
    expect((await api.delete('/api/users/user-42', query.key)).statusCode).toBe(403);
    expect((await api.get('/api/users/user-42/export', query.key)).statusCode).toBe(403);
    expect((await api.post('/api/admin/split', { anonymous_id: 'anon-phone' }, query.key)).statusCode).toBe(
      403,
    );
    expect((await api.put('/api/attributes/plan', { type: 'string' }, query.key)).statusCode).toBe(403);
    expect((await api.get('/api/users/user-42')).json().devices).toHaveLength(1);
  });

  it(`${backend}: a write key, a missing key or a made-up key is not an API key`, async () => {
    const withWriteKey = await api.get('/api/users', server.writeKey);
    expect(withWriteKey.statusCode).toBe(401);
    expect(withWriteKey.json().error.code).toBe('INVALID_API_KEY');
    const made = await api.get('/api/users', 'sk_madeup');
    expect(made.statusCode).toBe(401);
    const missing = await server.app.inject({ method: 'GET', url: '/api/users' });
    expect(missing.statusCode).toBe(401);
    expect(missing.json().error.code).toBe('MISSING_API_KEY');
    const basic = await server.app.inject({
      method: 'GET',
      url: '/api/users',
      headers: { authorization: `Basic ${Buffer.from(`${server.apiKey}:`).toString('base64')}` },
    });
    expect(basic.statusCode).toBe(401);
  });

  it(`${backend}: another project's key cannot read, export, repair or delete this project's users`, async () => {
    expect((await otherApi.get('/api/users/user-42')).statusCode).toBe(404);
    expect((await otherApi.get('/api/users/user-42/events')).statusCode).toBe(404);
    expect((await otherApi.get('/api/users/user-42/export')).statusCode).toBe(404);
    expect((await otherApi.get('/api/users')).json()).toMatchObject({ total: 0, users: [] });
    expect((await otherApi.get('/api/users?q=gold')).json().total).toBe(0);

    const person = (await api.get('/api/users/user-42')).json().person_id;
    expect((await otherApi.get(`/api/persons/${person}`)).statusCode).toBe(404);
    expect((await otherApi.delete(`/api/persons/${person}`)).statusCode).toBe(404);
    expect((await otherApi.delete('/api/users/user-42')).statusCode).toBe(404);
    expect((await otherApi.post('/api/admin/split', { anonymous_id: 'anon-phone' })).statusCode).toBe(409);
    expect(
      (await otherApi.post('/api/admin/merge', { into: { person_id: person }, from: { user_id: 'user-42' } }))
        .statusCode,
    ).toBe(404);
    expect((await otherApi.get('/api/stats/identification')).json()).toMatchObject({
      persons: 0,
      devices: 0,
    });
    expect(
      (await otherApi.get('/api/attributes')).json().attributes.map((a: { name: string }) => a.name),
    ).not.toContain('plan');
    expect((await otherApi.get('/api/admin/audit-log')).json().entries).toEqual([]);

    const profile = (await api.get('/api/users/user-42')).json();
    expect(profile).toMatchObject({ person_id: person, attributes: { plan: 'gold' } });
    expect(profile.devices).toHaveLength(1);
    expect((await api.get('/api/users/user-42/events')).json().total).toBe(2);
  });

  it(`${backend}: the same ids sent with another project's write key never reach this project`, async () => {
    const sent = await otherApi.batch([
      {
        type: 'identify',
        anonymousId: 'anon-phone',
        userId: 'user-42',
        traits: { plan: 'bronze' },
        timestamp: at(5),
      },
      { type: 'track', userId: 'user-42', event: 'Refunded', timestamp: at(6) },
    ]);
    expect(sent.statusCode).toBe(200);
    expect(sent.json()).toEqual({ success: true });

    const mine = (await api.get('/api/users/user-42')).json();
    expect(mine.attributes.plan).toBe('gold');
    const myEvents = (await api.get('/api/users/user-42/events')).json();
    expect(myEvents.total).toBe(2);
    expect(myEvents.events.map((e: { name: string | null }) => e.name)).not.toContain('Refunded');

    const theirs = (await otherApi.get('/api/users/user-42')).json();
    expect(theirs.person_id).not.toBe(mine.person_id);
    expect(theirs.attributes.plan).toBe('bronze');
    expect((await otherApi.get('/api/users/user-42/events')).json().total).toBe(2);
  });

  it(`${backend}: the project route shows only the key's own project`, async () => {
    expect((await api.get('/api/project')).json().project_id).toBe(server.projectId);
    expect((await otherApi.get('/api/project')).json().project_id).toBe(other.project_id);
  });
});

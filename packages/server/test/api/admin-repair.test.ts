import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import { apiClient, at } from './api-client.js';

describeEachBackend('server API: admin merge and split', (backend) => {
  let server: TestServer;
  let api: ReturnType<typeof apiClient>;
  /** The person id holding an anonymous id, as the database has it. */
  const personOf = async (anonymousId: string) =>
    (
      await server.store.db
        .selectFrom('devices')
        .select('person_id')
        .where('project_id', '=', server.projectId)
        .where('anonymous_id', '=', anonymousId)
        .executeTakeFirstOrThrow()
    ).person_id;

  beforeAll(async () => {
    server = await startTestServer({ backend, listen: false });
    api = apiClient(server);
    await api.batch([
      {
        type: 'identify',
        anonymousId: 'anon-laptop',
        userId: 'user-42',
        traits: { plan: 'gold' },
        timestamp: at(10),
      },
      { type: 'identify', anonymousId: 'anon-desk', userId: 'user-43', timestamp: at(11) },
      // A tablet that never logged in, but the support team knows it is user-42's.
      {
        type: 'identify',
        anonymousId: 'anon-tablet',
        traits: { plan: 'free', city: 'Osaka' },
        timestamp: at(0),
      },
      { type: 'track', anonymousId: 'anon-tablet', event: 'Read Article', timestamp: at(1) },
      { type: 'page', anonymousId: 'anon-lonely', timestamp: at(2) },
    ]);
  });
  afterAll(() => server.close());

  it(`${backend}: merging an anonymous person into a user keeps the user's values and moves ids and events`, async () => {
    const tablet = await personOf('anon-tablet');
    const response = await api.post('/api/admin/merge', {
      into: { user_id: 'user-42' },
      from: { person_id: tablet },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ merged: true, moved_anonymous_ids: 1 });

    const profile = (await api.get('/api/users/user-42')).json();
    expect(profile.attributes).toMatchObject({ plan: 'gold', city: 'Osaka' });
    expect(profile.first_seen).toBe(at(0));
    expect(profile.devices.map((d: { anonymous_id: string }) => d.anonymous_id).sort()).toEqual([
      'anon-laptop',
      'anon-tablet',
    ]);
    const timeline = (await api.get('/api/users/user-42/events')).json();
    expect(timeline.events.map((e: { name: string | null; type: string }) => e.name ?? e.type)).toContain(
      'Read Article',
    );
    expect((await api.get(`/api/persons/${tablet}`)).statusCode).toBe(404);
  });

  it(`${backend}: merges that break the identity rules are refused with 409 MERGE_REFUSED`, async () => {
    const bothIdentified = await api.post('/api/admin/merge', {
      into: { user_id: 'user-42' },
      from: { user_id: 'user-43' },
    });
    expect(bothIdentified.statusCode).toBe(409);
    expect(bothIdentified.json().error).toMatchObject({
      code: 'MERGE_REFUSED',
      message: expect.stringContaining('identified'),
    });

    const lonely = await personOf('anon-lonely');
    const backwards = await api.post('/api/admin/merge', {
      into: { person_id: lonely },
      from: { user_id: 'user-43' },
    });
    expect(backwards.statusCode).toBe(409);
    const itself = await api.post('/api/admin/merge', {
      into: { user_id: 'user-43' },
      from: { user_id: 'user-43' },
    });
    expect(itself.statusCode).toBe(409);

    const unknown = await api.post('/api/admin/merge', {
      into: { user_id: 'user-404' },
      from: { person_id: lonely },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('PERSON_NOT_FOUND');
    const empty = await api.post('/api/admin/merge', { into: {}, from: { person_id: lonely } });
    expect(empty.statusCode).toBe(400);

    expect((await api.get('/api/users/user-43')).json().devices).toHaveLength(1);
  });

  it(`${backend}: splitting an anonymous id moves it and its anonymous events to a new person`, async () => {
    const response = await api.post('/api/admin/split', { anonymous_id: 'anon-tablet' });
    expect(response.statusCode, response.body).toBe(200);
    const { person_id } = response.json();
    expect(await personOf('anon-tablet')).toBe(person_id);

    const profile = (await api.get('/api/users/user-42')).json();
    expect(profile.devices.map((d: { anonymous_id: string }) => d.anonymous_id)).toEqual(['anon-laptop']);
    const timeline = (await api.get('/api/users/user-42/events')).json();
    expect(timeline.events.map((e: { name: string | null }) => e.name)).not.toContain('Read Article');
    const split = (await api.get(`/api/persons/${person_id}/events`)).json();
    expect(split.events.map((e: { name: string | null }) => e.name)).toContain('Read Article');

    const unknown = await api.post('/api/admin/split', { anonymous_id: 'anon-nobody' });
    expect(unknown.statusCode).toBe(409);
    expect(unknown.json().error.code).toBe('SPLIT_REFUSED');
    const only = await api.post('/api/admin/split', { anonymous_id: 'anon-lonely' });
    expect(only.statusCode).toBe(409);
  });

  it(`${backend}: every repair is in the audit log, newest first, with the key that made it`, async () => {
    const { entries } = (await api.get('/api/admin/audit-log')).json();
    expect(entries.map((e: { action: string }) => e.action)).toEqual(['split', 'merge']);
    expect(entries[0]).toMatchObject({
      actor: expect.stringMatching(/^api_key:key_/),
      details: { anonymous_id: 'anon-tablet' },
    });
    expect(entries[1].details).toMatchObject({ into: { user_id: 'user-42' }, moved_anonymous_ids: 1 });
    expect(Date.parse(entries[0].at)).not.toBeNaN();
  });
});

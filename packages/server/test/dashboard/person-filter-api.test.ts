import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiClient, at } from '../api/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';

const GOLD = JSON.stringify({ attr: 'plan', op: 'eq', value: 'gold' });

/** The user list filtered by a condition, and a profile's groups and experiences seen. */
describeEachBackend('users filtered by condition, a person’s groups and experiences', (backend) => {
  let server: TestServer;
  let api: ReturnType<typeof apiClient>;
  const personOf = async (userId: string) =>
    (await api.get(`/api/users/${userId}`)).json().person_id as number;
  beforeAll(async () => {
    server = await startTestServer({ backend, listen: false });
    api = apiClient(server);
    // user-1 … user-5, one minute apart; gold: user-2 and user-4.
    const batch = Array.from({ length: 5 }, (_, i) => ({
      type: 'identify',
      anonymousId: `anon-${i + 1}`,
      userId: `user-${i + 1}`,
      traits: { plan: i % 2 ? 'gold' : 'silver' },
      timestamp: at(i),
      messageId: `m${i + 1}`,
    }));
    expect((await api.batch(batch)).statusCode).toBe(200);
    await server.settled();
  });
  afterAll(() => server?.close());

  it(`${backend}: GET /api/persons?condition= pages the matching persons by cursor`, async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const next: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = (
        await api.get(
          `/api/persons?sort=first_seen&order=asc&limit=1&condition=${encodeURIComponent(GOLD)}${next}`,
        )
      ).json();
      seen.push(...page.persons.map((p: { user_id: string }) => p.user_id));
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(seen).toEqual(['user-2', 'user-4']);

    const first = (await api.get(`/api/persons?limit=1&condition=${encodeURIComponent(GOLD)}`)).json();
    const otherCondition = JSON.stringify({ attr: 'plan', op: 'eq', value: 'silver' });
    const reused = await api.get(
      `/api/persons?limit=1&condition=${encodeURIComponent(otherCondition)}&cursor=${encodeURIComponent(first.next_cursor)}`,
    );
    expect(reused.statusCode).toBe(400);
    expect(reused.json().error.code).toBe('INVALID_CURSOR');
  });

  it(`${backend}: a bad condition is a 400 that points at the bad part`, async () => {
    const badOp = await api.get(
      `/api/persons?condition=${encodeURIComponent(JSON.stringify({ all: [{ attr: 'plan', op: 'nearly', value: 1 }] }))}`,
    );
    expect(badOp.statusCode).toBe(400);
    expect(badOp.json().error).toMatchObject({ code: 'INVALID_CONDITION', pointer: '/condition/all/0/op' });
    const notJson = await api.get('/api/persons?condition=%7Bplan');
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error).toMatchObject({ code: 'INVALID_BODY', pointer: '/condition' });
  });

  it(`${backend}: GET /api/persons/:id/groups lists the static and dynamic groups the person is in`, async () => {
    const gold = (await api.post('/api/groups', { name: 'Gold', condition: JSON.parse(GOLD) })).json();
    const vip = (await api.post('/api/groups', { name: 'VIP', user_ids: ['user-1', 'user-2'] })).json();
    const names = async (userId: string) =>
      (await api.get(`/api/persons/${await personOf(userId)}/groups`))
        .json()
        .groups.map((g: { name: string }) => g.name);
    expect(await names('user-2')).toEqual(['Gold', 'VIP']);
    expect(await names('user-1')).toEqual(['VIP']);
    expect(await names('user-3')).toEqual([]);
    expect(gold.type).toBe('dynamic');
    expect(vip.type).toBe('static');
    const missing = await api.get('/api/persons/999999/groups');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('PERSON_NOT_FOUND');
  });

  it(`${backend}: GET /api/persons/:id/experiences lists what decide showed, with the variant`, async () => {
    const created = await api.post('/api/experiences', {
      name: 'Welcome bar',
      type: 'bar',
      variants: [{ name: 'A', weight: 100, content: { html: 'Hi' } }],
    });
    expect(created.statusCode).toBe(201);
    const { id } = created.json();
    expect((await api.post(`/api/experiences/${id}/publish`, {})).statusCode).toBe(200);
    const person = await personOf('user-3');
    expect((await api.get(`/api/persons/${person}/experiences`)).json().experiences).toEqual([]);
    const decided = await server.app.inject({
      method: 'POST',
      url: '/v1/decide',
      payload: {
        writeKey: server.writeKey,
        anonymousId: 'anon-3',
        userId: 'user-3',
        url: 'https://shop.test/',
      },
    });
    expect(decided.json().experiences.map((e: { id: string }) => e.id)).toEqual([id]);
    const seen = (await api.get(`/api/persons/${person}/experiences`)).json().experiences;
    expect(seen).toEqual([
      expect.objectContaining({ id, name: 'Welcome bar', type: 'bar', status: 'published', variant: 'A' }),
    ]);
  });
});

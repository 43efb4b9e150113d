import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiClient, at } from '../api/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';

/** The API routes only the dashboard's pages needed: sorted person pages, recent events, type preview, last changes. */
describeEachBackend('dashboard API routes', (backend) => {
  let server: TestServer;
  let api: ReturnType<typeof apiClient>;
  beforeAll(async () => {
    server = await startTestServer({ backend, listen: false });
    api = apiClient(server);
    // user-1 … user-7 seen one minute apart; anon-x never identified.
    const batch = Array.from({ length: 7 }, (_, i) => ({
      type: 'identify',
      anonymousId: `anon-${i + 1}`,
      userId: `user-${i + 1}`,
      traits: { age: i === 3 ? 'forty' : String(20 + i), plan: i % 2 ? 'gold' : 'silver' },
      timestamp: at(i),
      messageId: `m${i + 1}`,
    }));
    batch.push({ type: 'page', anonymousId: 'anon-x', timestamp: at(30), messageId: 'mx' } as never);
    expect((await api.batch(batch)).statusCode).toBe(200);
    await server.settled();
  });
  afterAll(() => server?.close());

  it(`${backend}: GET /api/persons pages by cursor in sort order with chosen attribute columns`, async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = (
        await api.get(
          `/api/persons?sort=first_seen&order=asc&identified=true&limit=3&attributes=plan${query}`,
        )
      ).json();
      seen.push(...page.persons.map((p: { user_id: string }) => p.user_id));
      if (pages === 0) expect(page.persons[0].attributes).toEqual({ plan: 'silver' });
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(seen).toEqual(['user-1', 'user-2', 'user-3', 'user-4', 'user-5', 'user-6', 'user-7']);

    const newest = (await api.get('/api/persons?limit=2')).json();
    expect(newest.persons.map((p: { user_id: string | null }) => p.user_id)).toEqual([null, 'user-7']);
    const tampered = await api.get(`/api/persons?limit=2&cursor=${newest.next_cursor.slice(0, -2)}xx`);
    expect(tampered.statusCode).toBe(400);
    expect(tampered.json().error.code).toBe('INVALID_CURSOR');
    const otherList = await api.get(`/api/persons?limit=2&order=asc&cursor=${newest.next_cursor}`);
    expect(otherList.json().error.code).toBe('INVALID_CURSOR');
  });

  it(`${backend}: GET /api/events lists the latest events first, paged by cursor`, async () => {
    const first = (await api.get('/api/events?limit=5')).json();
    expect(first.events.map((e: { type: string; user_id: string | null }) => [e.type, e.user_id])[0]).toEqual(
      ['page', null],
    );
    expect(first.events).toHaveLength(5);
    const rest = (
      await api.get(`/api/events?limit=5&cursor=${encodeURIComponent(first.next_cursor)}`)
    ).json();
    expect(rest.events.map((e: { user_id: string }) => e.user_id)).toEqual(['user-3', 'user-2', 'user-1']);
    expect(rest.next_cursor).toBeNull();
  });

  it(`${backend}: a type preview counts misfits and changes nothing`, async () => {
    const preview = await api.post('/api/attributes/age/type-preview', { type: 'number' });
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toMatchObject({ name: 'age', type: 'number', values: 7, misfits: 1 });
    expect(preview.json().misfit_samples.map((s: { value: string }) => s.value)).toEqual(['forty']);
    const attributes = (await api.get('/api/attributes')).json().attributes as {
      name: string;
      type: string;
    }[];
    expect(attributes.find((a) => a.name === 'age')?.type).toBe('string');
    expect((await api.post('/api/attributes/age/type-preview', { type: 'colour' })).statusCode).toBe(400);
  });

  it(`${backend}: each attribute value names the time and source of its last change`, async () => {
    const csv = 'user_id,plan,tier\nuser-2,platinum,3\n';
    const imported = await server.app.inject({
      method: 'POST',
      url: '/api/imports',
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(imported.statusCode).toBe(200);
    const changes = (await api.get('/api/users/user-2/attribute-changes')).json().attributes as {
      name: string;
      value: unknown;
      updated_at: string;
      source: string;
      source_id: string;
    }[];
    const byName = Object.fromEntries(changes.map((c) => [c.name, c]));
    expect(byName.age).toMatchObject({ value: '21', updated_at: at(1), source: 'server', source_id: 'm2' });
    expect(byName.plan).toMatchObject({ value: 'platinum', source: 'import', source_id: imported.json().id });
    expect(byName.tier.source).toBe('import');
    expect((await api.get('/api/users/nobody/attribute-changes')).statusCode).toBe(404);
  });

  it(`${backend}: the import history and the group list page by cursor`, async () => {
    const imported = async (n: number) => {
      const answer = await api.post('/v1/user/profiles', {
        field_name: ['user_id', 'batch'],
        values: [[`user-${n}`, `b${n}`]],
      });
      expect(answer.statusCode).toBe(200);
      return answer.json().job_id as string;
    };
    const made = [await imported(1), await imported(2), await imported(3)];
    const history: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = (await api.get(`/api/imports?limit=2${query}`)).json();
      expect(page.imports.length).toBeLessThanOrEqual(2);
      history.push(...page.imports.map((job: { id: string }) => job.id));
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor && pages < 10);
    // Newest first, each job once; the CSV of the previous test is the oldest.
    expect(history.slice(0, 3)).toEqual([...made].reverse());
    expect(new Set(history).size).toBe(history.length);
    expect(history).toHaveLength(4);
    expect((await api.get('/api/imports?limit=2&offset=1&cursor=x')).statusCode).toBe(400);

    for (const name of ['Bravo', 'Alpha', 'Charlie']) {
      const condition = { attr: 'plan', op: 'eq', value: name };
      expect((await api.post('/api/groups', { name, condition })).statusCode).toBe(201);
    }
    const first = (await api.get('/api/groups?limit=2')).json();
    expect(first.groups.map((g: { name: string }) => g.name)).toEqual(['Alpha', 'Bravo']);
    const second = (
      await api.get(`/api/groups?limit=2&cursor=${encodeURIComponent(first.next_cursor)}`)
    ).json();
    expect(second.groups.map((g: { name: string }) => g.name)).toEqual(['Charlie']);
    expect(second.next_cursor).toBeNull();
    expect((await api.get('/api/groups')).json().groups).toHaveLength(3);
    const foreign = await api.get(`/api/groups?limit=2&cursor=${encodeURIComponent(first.next_cursor)}x`);
    expect(foreign.json().error.code).toBe('INVALID_CURSOR');
  });
});

import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import { apiClient, at, IPHONE_UA, WINDOWS_CHROME_UA, warningsOf } from './api-client.js';

const LANDING = 'https://shop.example/sale?utm_source=newsletter&utm_medium=email&utm_campaign=spring';

describeEachBackend(
  'server API: users',
  (backend) => {
    let server: TestServer;
    let api: ReturnType<typeof apiClient>;
    beforeAll(async () => {
      server = await startTestServer({ backend, listen: false });
      api = apiClient(server);
      // user-42 visits on a phone from a newsletter, signs up, then comes back on a laptop.
      const phone = {
        userAgent: IPHONE_UA,
        page: { url: LANDING, referrer: 'https://news.example.com/article/7' },
      };
      const laptop = { userAgent: WINDOWS_CHROME_UA, page: { url: 'https://shop.example/cart' } };
      const response = await api.batch([
        {
          type: 'page',
          anonymousId: 'anon-phone',
          name: 'Sale',
          context: phone,
          timestamp: at(0),
          messageId: 'p1',
        },
        {
          type: 'identify',
          anonymousId: 'anon-phone',
          userId: 'user-42',
          traits: { age: '30', plan: 'gold', signed_up_at: '2026-03-02T09:01:00Z' },
          context: phone,
          timestamp: at(1),
          messageId: 'p2',
        },
        {
          type: 'track',
          anonymousId: 'anon-laptop',
          event: 'Viewed Cart',
          context: laptop,
          timestamp: at(60),
          messageId: 'l1',
        },
        {
          type: 'identify',
          anonymousId: 'anon-laptop',
          userId: 'user-42',
          context: laptop,
          timestamp: at(61),
          messageId: 'l2',
        },
        // 45 minutes later: a new visit on the laptop.
        {
          type: 'track',
          userId: 'user-42',
          anonymousId: 'anon-laptop',
          event: 'Order Completed',
          context: laptop,
          timestamp: at(106),
          messageId: 'l3',
        },
        {
          type: 'identify',
          anonymousId: 'anon-other',
          userId: 'user-43',
          traits: { plan: 'silver' },
          timestamp: at(2),
          messageId: 'o1',
        },
        { type: 'page', anonymousId: 'anon-lurker', timestamp: at(3), messageId: 'o2' },
      ]);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ success: true });
    });
    afterAll(() => server.close());

    it(`${backend}: GET /api/users/:userId shows the profile, typed attributes, defaults and devices`, async () => {
      const response = await api.get('/api/users/user-42');
      expect(response.statusCode).toBe(200);
      const profile = response.json();
      expect(profile).toMatchObject({
        user_id: 'user-42',
        identified: true,
        bound: true,
        first_seen: at(0),
        last_seen: at(106),
      });
      expect(profile.attributes).toMatchObject({
        age: '30',
        plan: 'gold',
        signed_up_at: '2026-03-02T09:01:00.000Z',
        $first_seen: at(0),
        $last_seen: at(106),
        $total_sessions: 3,
        $first_referrer_domain: 'news.example.com',
        $first_landing_page: LANDING,
        $first_utm_source: 'newsletter',
        $first_utm_medium: 'email',
        $first_utm_campaign: 'spring',
        $last_device_type: 'desktop',
        $device_count: 2,
      });
      const devices = Object.fromEntries(
        profile.devices.map((d: { anonymous_id: string }) => [d.anonymous_id, d]),
      );
      expect(devices['anon-phone']).toMatchObject({
        device_type: 'mobile',
        os: 'iOS',
        browser: 'Mobile Safari',
        first_seen: at(0),
        last_seen: at(1),
        sessions: 1,
      });
      expect(devices['anon-laptop']).toMatchObject({
        device_type: 'desktop',
        os: 'Windows',
        browser: 'Chrome',
        first_seen: at(60),
        last_seen: at(106),
        sessions: 2,
      });
    });

    it(`${backend}: declaring an attribute a number makes "30" read as 30`, async () => {
      const declared = await api.put('/api/attributes/age', { type: 'number' });
      expect(declared.statusCode).toBe(200);
      expect(declared.json()).toMatchObject({ name: 'age', type: 'number', values: 1, misfits: 0 });
      const profile = (await api.get('/api/users/user-42')).json();
      expect(profile.attributes.age).toBe(30);

      const bad = await api.put('/api/attributes/age', { type: 'colour' });
      expect(bad.statusCode).toBe(400);
      const reserved = await api.put('/api/attributes/$device_count', { type: 'string' });
      expect(reserved.statusCode).toBe(400);
    });

    it(`${backend}: GET /api/attributes lists types, sources and holders, then the $ defaults`, async () => {
      const { attributes } = (await api.get('/api/attributes')).json();
      const byName = Object.fromEntries(attributes.map((a: { name: string }) => [a.name, a]));
      expect(byName.plan).toMatchObject({
        type: 'string',
        type_source: 'inferred',
        sources: ['server'],
        persons: 2,
      });
      expect(byName.age).toMatchObject({ type: 'number', type_source: 'declared', persons: 1 });
      expect(byName.signed_up_at).toMatchObject({ type: 'datetime' });
      expect(byName.$total_sessions).toMatchObject({ type: 'number', type_source: 'system' });
    });

    it(`${backend}: an unknown user is 404 USER_NOT_FOUND`, async () => {
      for (const url of ['/api/users/user-404', '/api/users/user-404/events', '/api/users/user-404/export']) {
        const response = await api.get(url);
        expect(response.statusCode, url).toBe(404);
        expect(response.json().error.code, url).toBe('USER_NOT_FOUND');
      }
      expect((await api.delete('/api/users/user-404')).statusCode).toBe(404);
    });

    it(`${backend}: the cross-device timeline is newest first, paged, with the total`, async () => {
      const all = (await api.get('/api/users/user-42/events')).json();
      expect(all.total).toBe(5);
      expect(all.events.map((e: { message_id: string }) => e.message_id)).toEqual([
        'l3',
        'l2',
        'l1',
        'p2',
        'p1',
      ]);
      expect(all.events[0]).toMatchObject({ type: 'track', name: 'Order Completed', timestamp: at(106) });
      expect(all.events[0].session_id).not.toBe(all.events[2].session_id);
      expect(all.events[1].session_id).toBe(all.events[2].session_id);

      const page = (await api.get('/api/users/user-42/events?limit=2&offset=1')).json();
      expect(page).toMatchObject({ total: 5, limit: 2, offset: 1 });
      expect(page.events.map((e: { message_id: string }) => e.message_id)).toEqual(['l2', 'l1']);
      expect((await api.get('/api/users/user-42/events?limit=0')).statusCode).toBe(400);
    });

    it(`${backend}: GET /api/users searches user ids and attribute values, with paging`, async () => {
      const byId = (await api.get('/api/users?q=user-4')).json();
      expect(byId.total).toBe(2);
      expect(byId.users.map((u: { user_id: string }) => u.user_id).sort()).toEqual(['user-42', 'user-43']);

      const byValue = (await api.get('/api/users?q=silver')).json();
      expect(byValue.users.map((u: { user_id: string }) => u.user_id)).toEqual(['user-43']);

      const everyone = (await api.get('/api/users?limit=1')).json();
      expect(everyone.total).toBe(3);
      expect(everyone.users).toHaveLength(1);
      const second = (await api.get('/api/users?limit=1&offset=1')).json();
      expect(second.users[0].person_id).not.toBe(everyone.users[0].person_id);

      const anonymous = (await api.get('/api/users?identified=false')).json();
      expect(anonymous.users).toEqual([expect.objectContaining({ user_id: null, identified: false })]);

      const none = (await api.get('/api/users?q=%25')).json();
      expect(none.total).toBe(0);
    });

    it(`${backend}: search is case-insensitive and takes % and _ literally, on every backend`, async () => {
      await api.batch([
        { type: 'identify', userId: 'Member_77', traits: { promo: 'Save 50%' }, timestamp: at(200) },
        { type: 'identify', userId: 'member-78', traits: { note: 'C:\\temp' }, timestamp: at(201) },
      ]);
      const ids = async (q: string) =>
        (await api.get(`/api/users?q=${encodeURIComponent(q)}`))
          .json()
          .users.map((u: { user_id: string }) => u.user_id)
          .sort();
      expect(await ids('member')).toEqual(['Member_77', 'member-78']);
      expect(await ids('MEMBER_')).toEqual(['Member_77']);
      expect(await ids('50%')).toEqual(['Member_77']);
      expect(await ids('save 50')).toEqual(['Member_77']);
      expect(await ids('%')).toEqual(['Member_77']);
    });

    it(`${backend}: GET /api/users/:userId/export holds the profile and every event`, async () => {
      const response = await api.get('/api/users/user-42/export');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-disposition']).toMatch(/attachment/);
      const exported = response.json();
      expect(exported.profile.user_id).toBe('user-42');
      expect(exported.profile.devices).toHaveLength(2);
      expect(exported.events).toHaveLength(5);
    });
  },
  { ingestionLog: true },
);

describeEachBackend(
  'server API: erasure and stats',
  (backend) => {
    let server: TestServer;
    let api: ReturnType<typeof apiClient>;
    beforeAll(async () => {
      server = await startTestServer({ backend, listen: false });
      api = apiClient(server);
    });
    afterAll(() => server.close());

    it(`${backend}: DELETE erases profile, ids, attributes and events, and leaves another user's events from the shared device`, async () => {
      const sent = await api.batch([
        { type: 'page', anonymousId: 'anon-shared', timestamp: at(0), messageId: 's1' },
        {
          type: 'identify',
          anonymousId: 'anon-shared',
          userId: 'user-a',
          traits: { email: 'a@example.com' },
          timestamp: at(1),
          messageId: 's2',
        },
        {
          type: 'track',
          anonymousId: 'anon-shared',
          userId: 'user-a',
          event: 'Bought',
          timestamp: at(2),
          messageId: 's3',
        },
        // user-b logs in on the same computer without a logout.
        {
          type: 'identify',
          anonymousId: 'anon-shared',
          userId: 'user-b',
          traits: { email: 'b@example.com' },
          timestamp: at(3),
          messageId: 's4',
        },
        {
          type: 'track',
          anonymousId: 'anon-shared',
          userId: 'user-b',
          event: 'Bought',
          timestamp: at(4),
          messageId: 's5',
        },
      ]);
      expect(await warningsOf(server, sent.json(), ['s1', 's2', 's3', 's4', 's5'])).toEqual([
        ['s4', 'IDENTIFIED_ON_ANOTHER_USER'],
        ['s5', 'IDENTIFIED_ON_ANOTHER_USER'],
      ]);
      expect((await api.get('/api/users/user-b/events')).json().total).toBe(2);

      const deleted = await api.delete('/api/users/user-a');
      expect(deleted.statusCode).toBe(200);
      expect(deleted.json()).toMatchObject({
        deleted: true,
        user_id: 'user-a',
        deleted_events: 3,
        deleted_devices: 1,
      });

      expect((await api.get('/api/users/user-a')).statusCode).toBe(404);
      const db = server.store.db;
      const left = await db
        .selectFrom('events')
        .select('message_id')
        .where('project_id', '=', server.projectId)
        .orderBy('message_id')
        .execute();
      expect(left.map((e) => e.message_id)).toEqual(['s4', 's5']);
      const devices = await db
        .selectFrom('devices')
        .select('anonymous_id')
        .where('project_id', '=', server.projectId)
        .execute();
      expect(devices).toEqual([]);
      const values = await db
        .selectFrom('person_attributes')
        .select('value')
        .where('project_id', '=', server.projectId)
        .execute();
      expect(values.map((v) => JSON.parse(v.value as string))).toEqual(['b@example.com']);
      expect((await api.get('/api/users/user-b')).json().attributes.email).toBe('b@example.com');
      expect((await api.get('/api/users/user-b/events')).json().total).toBe(2);

      const audit = (await api.get('/api/admin/audit-log')).json();
      expect(audit.entries[0]).toMatchObject({ action: 'delete', actor: expect.stringMatching(/^api_key:/) });
      expect(audit.entries[0].details.person.user_id).toBe('user-a');
    });

    it(`${backend}: GET /api/stats/identification counts persons, identified, anonymous, bound and imported`, async () => {
      const fresh = await startTestServer({ backend, listen: false });
      try {
        const freshApi = apiClient(fresh);
        await freshApi.batch([
          { type: 'identify', anonymousId: 'anon-phone', userId: 'user-1', timestamp: at(0) },
          { type: 'identify', anonymousId: 'anon-laptop', userId: 'user-1', timestamp: at(1) },
          { type: 'identify', anonymousId: 'anon-tablet', userId: 'user-1', timestamp: at(2) },
          { type: 'identify', anonymousId: 'anon-desk', userId: 'user-2', timestamp: at(3) },
          { type: 'page', anonymousId: 'anon-visitor-1', timestamp: at(4) },
          { type: 'page', anonymousId: 'anon-visitor-2', timestamp: at(5) },
        ]);
        const db = fresh.store.db;
        await db
          .insertInto('persons')
          .values({
            project_id: fresh.projectId,
            user_id: 'user-crm',
            created_at: 1,
            first_seen: 1,
            last_seen: 1,
            bound_at: null,
            imported_at: 1,
          })
          .execute();
        const stats = (await freshApi.get('/api/stats/identification')).json();
        expect(stats).toMatchObject({
          persons: 5,
          identified: 3,
          anonymous: 2,
          bound: 2,
          imported: 1,
          imported_not_bound: 1,
          devices: 6,
          devices_per_identified_user: 1.33,
        });
      } finally {
        await fresh.close();
      }
    });
  },
  { ingestionLog: true },
);

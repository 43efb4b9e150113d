import { afterAll, beforeAll, expect, it } from 'vitest';
import { basicAuth } from '../api/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';

const DEVICES = 20;
const anonIds = (prefix: string) => Array.from({ length: DEVICES }, (_, i) => `${prefix}-${i + 1}`);

/** DESIGN §3 rule 12 inside one server process: concurrent requests never split or share a person. */
describeEachBackend(
  'concurrent identify in one process',
  (backend) => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ backend, listen: false });
    });
    afterAll(() => server.close());

    const send = (type: string, message: Record<string, unknown>) =>
      server.app.inject({
        method: 'POST',
        url: `/v1/${type}`,
        headers: { authorization: basicAuth(server.writeKey) },
        payload: message,
      });

    /** Who holds each of the ids, straight from the database. */
    async function holders(userId: string, anonymousIds: string[]) {
      await server.settled();
      const db = server.store.db;
      const persons = await db
        .selectFrom('persons')
        .select(['id', 'user_id'])
        .where('project_id', '=', server.projectId)
        .where('user_id', '=', userId)
        .execute();
      const devices = await db
        .selectFrom('devices')
        .select(['anonymous_id', 'person_id'])
        .where('project_id', '=', server.projectId)
        .where('anonymous_id', 'in', anonymousIds)
        .execute();
      return { persons, devices };
    }

    it(`${backend}: 20 devices identifying the same new user at once make exactly one person`, async () => {
      for (const round of [1, 2, 3]) {
        const userId = `user-race-${round}`;
        const ids = anonIds(`anon-r${round}`);
        const answers = await Promise.all(
          ids.map((anonymousId) =>
            send('identify', { anonymousId, userId, traits: { [`seen_${anonymousId}`]: true } }),
          ),
        );
        expect(answers.map((a) => a.statusCode)).toEqual(ids.map(() => 200));

        const { persons, devices } = await holders(userId, ids);
        expect(persons).toHaveLength(1);
        expect(devices).toHaveLength(DEVICES);
        expect(new Set(devices.map((d) => d.person_id))).toEqual(new Set([persons[0].id]));
        await server.settled();
        const attributes = await server.store.db
          .selectFrom('person_attributes')
          .select('name')
          .where('person_id', '=', persons[0].id)
          .execute();
        expect(attributes).toHaveLength(DEVICES);
      }
    });

    it(`${backend}: 20 anonymous persons with history merge into one when they identify at once`, async () => {
      const ids = anonIds('anon-m');
      for (const anonymousId of ids) {
        expect((await send('page', { anonymousId, name: 'Home' })).statusCode).toBe(200);
      }
      await server.settled();
      const before = await server.store.db
        .selectFrom('devices')
        .select('person_id')
        .distinct()
        .where('project_id', '=', server.projectId)
        .where('anonymous_id', 'in', ids)
        .execute();
      expect(before).toHaveLength(DEVICES);

      const answers = await Promise.all(
        ids.map((anonymousId) => send('identify', { anonymousId, userId: 'user-merge' })),
      );
      expect(answers.map((a) => a.statusCode)).toEqual(ids.map(() => 200));

      const { persons, devices } = await holders('user-merge', ids);
      expect(persons).toHaveLength(1);
      expect(devices.map((d) => d.person_id)).toEqual(ids.map(() => persons[0].id));
      await server.settled();
      const leftovers = await server.store.db
        .selectFrom('persons')
        .select('id')
        .where('project_id', '=', server.projectId)
        .where(
          'id',
          'in',
          before.map((p) => p.person_id),
        )
        .execute();
      expect(leftovers.map((p) => p.id).filter((id) => id !== persons[0].id)).toEqual([]);

      const timeline = await server.app.inject({
        method: 'GET',
        url: '/api/users/user-merge/events?limit=100',
        headers: { authorization: `Bearer ${server.apiKey}` },
      });
      expect(timeline.json().total).toBe(2 * DEVICES);
    });

    it(`${backend}: two users racing on one shared device: the device has one holder, both users exist`, async () => {
      for (const round of [1, 2, 3]) {
        const device = `anon-kiosk-${round}`;
        const users = Array.from({ length: 6 }, (_, i) => `user-kiosk-${round}-${i}`);
        const answers = await Promise.all(
          users.map((userId) => send('identify', { anonymousId: device, userId })),
        );
        expect(answers.map((a) => a.statusCode)).toEqual(users.map(() => 200));
        await server.settled();
        const persons = await server.store.db
          .selectFrom('persons')
          .select(['id', 'user_id'])
          .where('project_id', '=', server.projectId)
          .where('user_id', 'in', users)
          .execute();
        expect(persons.map((p) => p.user_id).sort()).toEqual([...users].sort());
        await server.settled();
        const devices = await server.store.db
          .selectFrom('devices')
          .select('person_id')
          .where('project_id', '=', server.projectId)
          .where('anonymous_id', '=', device)
          .execute();
        expect(devices).toHaveLength(1);
        expect(persons.map((p) => p.id)).toContain(devices[0].person_id);
      }
    });

    it(`${backend}: the same messageId sent 20 times at once is applied once`, async () => {
      const answers = await Promise.all(
        Array.from({ length: DEVICES }, () =>
          send('track', {
            userId: 'user-dup',
            event: 'Paid',
            messageId: 'm-paid-1',
            properties: { amount: 10 },
          }),
        ),
      );
      expect(answers.map((a) => a.statusCode)).toEqual(answers.map(() => 200));
      const duplicates = answers.filter((a) => a.json().warnings?.[0]?.code === 'DUPLICATE_MESSAGE_ID');
      expect(duplicates).toHaveLength(DEVICES - 1);
      await server.settled();
      const events = await server.store.db
        .selectFrom('events')
        .select('id')
        .where('project_id', '=', server.projectId)
        .where('message_id', '=', 'm-paid-1')
        .execute();
      expect(events).toHaveLength(1);
    });
  },
  { ingestionLog: true },
);

import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import { daysAgo, groupClient } from './group-client.js';

describeEachBackend(
  'group templates',
  (backend) => {
    let server: TestServer;
    let api: ReturnType<typeof groupClient>;
    beforeAll(async () => {
      server = await startTestServer({ backend, listen: false });
      api = groupClient(server);
      // imp-1, imp-2: uploaded only. imp-3: uploaded, then signs in on the website.
      await api.upload(
        ['user_id', 'plan'],
        [
          ['imp-1', 'gold'],
          ['imp-2', 'gold'],
          ['imp-3', 'silver'],
        ],
      );
      const page = (anonymousId: string, days: number, id: string) => ({
        type: 'page',
        anonymousId,
        timestamp: daysAgo(days),
        messageId: id,
      });
      const identify = (anonymousId: string, userId: string, days: number, id: string) => ({
        type: 'identify',
        anonymousId,
        userId,
        timestamp: daysAgo(days),
        messageId: id,
      });
      const answer = await api.batch([
        page('anon-x', 3, 'x1'),
        page('anon-y', 50, 'y1'),
        identify('anon-i3', 'imp-3', 4, 'i3'),
        identify('anon-k1', 'known-1', 6, 'k1'),
        // loyal-1: three sessions in 30 days, on two devices.
        identify('anon-l1-phone', 'loyal-1', 20, 'l1'),
        page('anon-l1-phone', 20, 'l2'),
        page('anon-l1-laptop', 10, 'l3'),
        identify('anon-l1-laptop', 'loyal-1', 10, 'l4'),
        page('anon-l1-phone', 2, 'l5'),
        // semi-1: three sessions, but only two of them in the last 30 days.
        identify('anon-s1', 'semi-1', 40, 's1'),
        page('anon-s1', 40, 's2'),
        page('anon-s1', 5, 's3'),
        page('anon-s1', 3, 's4'),
      ]);
      expect(answer.statusCode, answer.body).toBe(200);
      await server.settled();
    });
    afterAll(() => server.close());

    it(`${backend}: the four templates with their counts, each a condition /api/groups takes`, async () => {
      const response = await api.call('GET', '/api/group-templates');
      expect(response.statusCode, response.body).toBe(200);
      const counts = Object.fromEntries(
        response.json().templates.map((t: { key: string; users: number }) => [t.key, t.users]),
      );
      // anonymous: anon-x, anon-y. known: imp-1..3, known-1, loyal-1, semi-1.
      // loyal: loyal-1. imported, not bound: imp-1, imp-2.
      expect(counts).toEqual({ anonymous_users: 2, known_users: 6, loyal_users: 1, imported_not_bound: 2 });
      for (const template of response.json().templates as {
        key: string;
        name: string;
        condition: unknown;
        users: number;
      }[]) {
        const group = await api.create({ name: template.name, condition: template.condition });
        expect(group.users, template.key).toBe(template.users);
      }
      const loyal = response.json().templates.find((t: { key: string }) => t.key === 'loyal_users');
      const created = (await api.call('GET', '/api/groups')).json().groups;
      const loyalGroup = created.find((g: { name: string }) => g.name === loyal.name);
      expect(await api.memberIds(loyalGroup.id)).toEqual(['loyal-1']);
    });
  },
  { ingestionLog: true },
);

import { afterAll, beforeAll, expect, it } from 'vitest';
import { createProject } from '../../src/projects/create-project.js';
import { GroupWindowPass } from '../../src/webhooks/group-window-pass.js';
import { apiClient } from '../api/api-client.js';
import { groupClient } from '../groups/group-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import { type Received, startReceiver, verifySignature } from '../support/webhook-receiver.js';

const fast = {
  webhooksAllowPrivate: true,
  webhookPollMs: 50,
  webhookRetryBaseMs: 200,
  webhookTimeoutMs: 2000,
  // The periodic pass is driven by the test with its own clock.
  webhookGroupPassMs: 3_600_000,
};
const HOUR = 60 * 60 * 1000;

describeEachBackend(
  'webhooks: group.entered and group.left reach a real receiver',
  (backend) => {
    let server: TestServer;
    let api: ReturnType<typeof groupClient>;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let secret: string;
    const groups: Record<'diamond' | 'vip' | 'either' | 'buyers', string> = {
      diamond: '',
      vip: '',
      either: '',
      buyers: '',
    };

    /** The group events of a group for a user (by user id), in arrival order: `+` entered, `-` left. */
    const eventsOf = (group: string, userId: string | null, personId?: number) =>
      receiver.received
        .filter((r) => r.payload.type.startsWith('group.') && r.payload.data.group_id === group)
        .filter((r) =>
          personId === undefined ? r.payload.data.user_id === userId : r.payload.data.person_id === personId,
        )
        .map((r) => (r.payload.type === 'group.entered' ? '+' : '-'))
        .join('');
    const groupEvents = () => receiver.received.filter((r) => r.payload.type.startsWith('group.'));
    const upload = async (rows: [string, string][]) => {
      const answer = await api.call('POST', '/v1/user/profiles', {
        field_name: ['user_id', 'plan'],
        values: rows,
      });
      expect(answer.statusCode).toBe(200);
    };
    const batch = async (messages: unknown[]) => {
      expect((await apiClient(server).batch(messages)).statusCode).toBe(200);
      await server.settled();
    };
    /** Waits until the receiver has `count` more group events than `before`, then a little longer for strays. */
    const expectGroupEvents = async (before: number, count: number) => {
      await receiver.waitFor(() => groupEvents().length >= before + count);
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(groupEvents()).toHaveLength(before + count);
    };

    beforeAll(async () => {
      server = await startTestServer({ backend, listen: false, config: fast });
      api = groupClient(server);
      receiver = await startReceiver();
      groups.diamond = (
        await api.create({ name: 'Diamond', condition: { attr: 'plan', op: 'eq', value: 'diamond' } })
      ).id;
      groups.vip = (await api.create({ name: 'VIP', user_ids: ['user-7'] })).id;
      groups.either = (
        await api.create({
          name: 'Diamond or VIP',
          condition: { any: [{ in_group: groups.diamond }, { in_group: groups.vip }] },
        })
      ).id;
      groups.buyers = (
        await api.create({ name: 'Recent buyers', condition: { event: 'purchase', within_days: 1 } })
      ).id;
      const created = await api.call('POST', '/api/webhooks', {
        url: receiver.url,
        events: ['group.entered', 'group.left'],
        group_ids: Object.values(groups),
        attributes: ['plan'],
      });
      expect(created.statusCode).toBe(201);
      secret = created.json().secret;
    });
    afterAll(async () => {
      await server.close();
      await receiver.close();
    });

    it(`${backend}: group_ids must name groups of this project`, async () => {
      const other = await createProject(server.store, 'Other site');
      const foreign = await groupClient({ ...server, apiKey: other.api_key }).create({
        name: 'Theirs',
        condition: { identified: true },
      });
      const refused = await api.call('POST', '/api/webhooks', {
        url: receiver.url,
        events: ['group.entered'],
        group_ids: [groups.vip, foreign.id],
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error).toMatchObject({ code: 'INVALID_BODY', pointer: '/group_ids/1' });
      expect(refused.json().error.message).toContain(foreign.id);
    });

    it(`${backend}: an upload moves a user in and out, through in_group too; signed, shaped as DESIGN says`, async () => {
      const before = groupEvents().length;
      await upload([['user-1', 'diamond']]);
      await expectGroupEvents(before, 2);
      expect(eventsOf(groups.diamond, 'user-1')).toBe('+');
      expect(eventsOf(groups.either, 'user-1')).toBe('+');
      const entered = groupEvents().find((r) => r.payload.data.group_id === groups.diamond) as Received;
      expect(verifySignature(secret, entered.body, entered.signature)).toBe(true);
      expect(verifySignature(secret, entered.body.replace('user-1', 'user-2'), entered.signature)).toBe(
        false,
      );
      const person = (await api.call('GET', '/api/users/user-1')).json();
      expect(entered.payload).toEqual({
        id: expect.stringMatching(/^dlv_/),
        type: 'group.entered',
        occurred_at: expect.any(String),
        project_id: server.projectId,
        data: {
          group_id: groups.diamond,
          group_name: 'Diamond',
          person_id: person.person_id,
          user_id: 'user-1',
          attributes: { plan: 'diamond' },
        },
      });
      // The same value again: no change of membership, no event.
      await upload([['user-1', 'diamond']]);
      await upload([['user-1', 'gold']]);
      await expectGroupEvents(before, 4);
      expect(eventsOf(groups.diamond, 'user-1')).toBe('+-');
      expect(eventsOf(groups.either, 'user-1')).toBe('+-');
      expect(groupEvents().at(-1)?.payload.data.attributes).toEqual({ plan: 'gold' });
    });

    it(`${backend}: an identify moves a user in and out; unrelated traits send nothing`, async () => {
      const before = groupEvents().length;
      await batch([{ type: 'identify', userId: 'user-2', traits: { plan: 'diamond' } }]);
      await expectGroupEvents(before, 2);
      expect(eventsOf(groups.diamond, 'user-2')).toBe('+');
      await batch([
        { type: 'identify', userId: 'user-2', traits: { city: 'Osaka' } },
        { type: 'track', userId: 'user-2', event: 'Viewed' },
      ]);
      await batch([{ type: 'identify', userId: 'user-2', traits: { plan: 'silver' } }]);
      await expectGroupEvents(before, 4);
      expect(eventsOf(groups.diamond, 'user-2')).toBe('+-');
      expect(eventsOf(groups.either, 'user-2')).toBe('+-');
    });

    it(`${backend}: a merge moves the survivor in; the merged-away person leaves silently`, async () => {
      await upload([['user-9', 'gold']]);
      await batch([{ type: 'identify', userId: 'user-9', traits: { plan: null } }]);
      const before = groupEvents().length;
      await batch([{ type: 'identify', anonymousId: 'anon-tablet', traits: { plan: 'diamond' } }]);
      await expectGroupEvents(before, 2);
      const anonymous = groupEvents().at(-1)?.payload.data;
      expect(anonymous).toMatchObject({ user_id: null, attributes: { plan: 'diamond' } });
      // The anonymous tablet signs in as user-9: merged into user-9, who now holds the plan.
      await batch([{ type: 'identify', anonymousId: 'anon-tablet', userId: 'user-9' }]);
      await expectGroupEvents(before, 4);
      expect(eventsOf(groups.diamond, 'user-9')).toBe('+');
      expect(eventsOf(groups.either, 'user-9')).toBe('+');
      expect(eventsOf(groups.diamond, null, anonymous?.person_id as number)).toBe('+');
    });

    it(`${backend}: a CSV import moves users in and out`, async () => {
      const start = groupEvents().length;
      await upload([['user-21', 'diamond']]);
      await expectGroupEvents(start, 2);
      const before = groupEvents().length;
      const imported = await server.app.inject({
        method: 'POST',
        url: '/api/imports',
        headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'text/csv' },
        payload: 'user_id,plan\nuser-20,diamond\nuser-21,silver\n',
      });
      expect(imported.statusCode).toBeLessThan(300);
      await expectGroupEvents(before, 4);
      expect(eventsOf(groups.diamond, 'user-20')).toBe('+');
      expect(eventsOf(groups.either, 'user-20')).toBe('+');
      expect(eventsOf(groups.diamond, 'user-21')).toBe('+-');
      expect(eventsOf(groups.either, 'user-21')).toBe('+-');
    });

    it(`${backend}: a split takes a device's anonymous purchase along: its user leaves, the new person enters`, async () => {
      const before = groupEvents().length;
      await batch([{ type: 'track', anonymousId: 'anon-split', event: 'purchase' }]);
      await batch([{ type: 'identify', anonymousId: 'anon-split', userId: 'user-11' }]);
      await expectGroupEvents(before, 1);
      const owner = groupEvents().at(-1)?.payload.data.person_id as number;
      const split = await api.call('POST', '/api/admin/split', { anonymous_id: 'anon-split' });
      expect(split.statusCode).toBe(200);
      await expectGroupEvents(before, 3);
      expect(eventsOf(groups.buyers, 'user-11')).toBe('-');
      expect(eventsOf(groups.buyers, null, owner)).toBe('+-');
      const entered =
        groupEvents().at(-1)?.payload.type === 'group.entered' ? groupEvents().at(-1) : groupEvents().at(-2);
      expect(entered?.payload.data).toMatchObject({ group_id: groups.buyers, user_id: null });
      expect(entered?.payload.data.person_id).not.toBe(owner);
    });

    it(`${backend}: adding to and removing from a static group sends entered and left, dependants too`, async () => {
      await upload([['user-5', 'bronze']]);
      const before = groupEvents().length;
      const added = await api.call('POST', `/api/groups/${groups.vip}/members`, { user_ids: ['user-5'] });
      expect(added.statusCode).toBe(200);
      await expectGroupEvents(before, 2);
      expect(eventsOf(groups.vip, 'user-5')).toBe('+');
      expect(eventsOf(groups.either, 'user-5')).toBe('+');
      const removed = await api.call('DELETE', `/api/groups/${groups.vip}/members`, { user_ids: ['user-5'] });
      expect(removed.statusCode).toBe(200);
      await expectGroupEvents(before, 4);
      expect(eventsOf(groups.vip, 'user-5')).toBe('+-');
      expect(eventsOf(groups.either, 'user-5')).toBe('+-');
    });

    it(`${backend}: editing a condition sends the differences to subscriptions naming the group`, async () => {
      await upload([['user-3', 'platinum']]);
      const before = groupEvents().length;
      const edited = await api.call('PATCH', `/api/groups/${groups.diamond}`, {
        condition: { attr: 'plan', op: 'in', value: ['diamond', 'platinum'] },
      });
      expect(edited.statusCode).toBe(200);
      await expectGroupEvents(before, 2);
      expect(eventsOf(groups.diamond, 'user-3')).toBe('+');
      expect(eventsOf(groups.either, 'user-3')).toBe('+');
    });

    it(`${backend}: a within_days window closing sends group.left from the periodic pass, once`, async () => {
      const before = groupEvents().length;
      const boughtAt = new Date(Date.now() - 23 * HOUR).toISOString();
      await batch([{ type: 'track', userId: 'user-8', event: 'purchase', timestamp: boughtAt }]);
      await expectGroupEvents(before, 1);
      expect(eventsOf(groups.buyers, 'user-8')).toBe('+');
      const pass = new GroupWindowPass(server.store, { intervalMs: HOUR });
      expect(await pass.runOnce(Date.now())).toBe(0);
      expect(await pass.runOnce(Date.now() + 2 * HOUR)).toBe(1);
      await expectGroupEvents(before, 2);
      expect(eventsOf(groups.buyers, 'user-8')).toBe('+-');
      expect(await pass.runOnce(Date.now() + 2 * HOUR)).toBe(0);
    });

    it(`${backend}: no subscription hears a group: its members are not kept`, async () => {
      const unwatched = await api.create({ name: 'Unheard', condition: { identified: true } });
      const kept = await server.store.db
        .selectFrom('watched_groups')
        .select('group_id')
        .where('group_id', '=', unwatched.id)
        .execute();
      expect(kept).toEqual([]);
      const watched = await server.store.db.selectFrom('watched_groups').select('group_id').execute();
      expect(new Set(watched.map((w) => w.group_id))).toEqual(new Set(Object.values(groups)));
    });
  },
  { ingestionLog: true, jetstream: true },
);

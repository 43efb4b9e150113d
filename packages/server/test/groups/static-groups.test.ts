import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import { daysAgo, groupClient } from './group-client.js';

describeEachBackend(
  'static groups',
  (backend) => {
    let server: TestServer;
    let api: ReturnType<typeof groupClient>;
    beforeAll(async () => {
      server = await startTestServer({ backend, listen: false });
      api = groupClient(server);
    });
    afterAll(() => server.close());

    it(`${backend}: pasted user ids: known ones are members, unknown ones pending until that user appears`, async () => {
      expect(
        (
          await api.upload(
            ['user_id', 'plan'],
            [
              ['vip-1', 'gold'],
              ['vip-2', 'gold'],
            ],
          )
        ).statusCode,
      ).toBe(200);
      const group = await api.create({
        name: 'VIPs',
        user_ids: ['vip-1', 'vip-2', 'vip-3', 'vip-4', 'vip-1'],
      });
      expect(group).toMatchObject({ name: 'VIPs', type: 'static', users: 2, pending: 2 });
      expect(await api.memberIds(group.id)).toEqual(['vip-1', 'vip-2']);

      // vip-3 signs in on the website: a member from then on, no longer pending.
      await api.batch([
        { type: 'page', anonymousId: 'anon-vip3', timestamp: daysAgo(0), messageId: 'v3-page' },
        {
          type: 'identify',
          anonymousId: 'anon-vip3',
          userId: 'vip-3',
          timestamp: daysAgo(0),
          messageId: 'v3-id',
        },
      ]);
      await server.settled();
      expect(await api.group(group.id)).toMatchObject({ users: 3, pending: 1 });
      // vip-4 arrives through a bulk upload.
      expect((await api.upload(['user_id', 'plan'], [['vip-4', 'silver']])).statusCode).toBe(200);
      expect(await api.group(group.id)).toMatchObject({ users: 4, pending: 0 });
      expect(await api.memberIds(group.id)).toEqual(['vip-1', 'vip-2', 'vip-3', 'vip-4']);
      const listed = (await api.call('GET', '/api/groups')).json().groups;
      expect(listed).toContainEqual({ id: group.id, name: 'VIPs', type: 'static', users: 4 });
    });

    it(`${backend}: a CSV body makes a group from its first column; a header row is skipped`, async () => {
      const csv =
        '\uFEFFuser_id,plan\r\ncsv-1,gold\r\n"csv-2",silver\r\n\r\n  csv-3  ,gold\r\ncsv-1,again\r\n';
      const response = await api.csv('/api/groups?name=From%20CSV', csv);
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json()).toMatchObject({ name: 'From CSV', type: 'static', users: 0, pending: 3 });
      await api.upload(['user_id'], [['csv-2']]);
      expect(await api.memberIds(response.json().id)).toEqual(['csv-2']);

      const noName = await api.csv('/api/groups', 'csv-1\n');
      expect(noName.statusCode).toBe(400);
      const illegal = await api.csv('/api/groups?name=Bad', 'csv-1\nnull\n');
      expect(illegal.statusCode).toBe(400);
      expect(illegal.json().error).toMatchObject({
        code: 'ILLEGAL_USER_ID',
        message: expect.stringContaining('row 2'),
      });
      expect((await api.csv('/api/groups?name=Empty', '')).json().error.code).toBe('EMPTY_FILE');
      expect(
        (await api.call('GET', '/api/groups')).json().groups.map((g: { name: string }) => g.name),
      ).not.toContain('Bad');
    });

    it(`${backend}: "the users of import job X" is a static group of the users that job wrote`, async () => {
      const imported = await api.csv(
        '/api/imports',
        'member_id,level\nimp-1,gold\nimp-2,silver\nimp-3,gold\n',
      );
      expect(imported.statusCode, imported.body).toBe(200);
      const group = await api.create({ name: 'Spring import', import_id: imported.json().id });
      expect(group).toMatchObject({ type: 'static', users: 3, pending: 0, import_id: imported.json().id });
      expect(await api.memberIds(group.id)).toEqual(['imp-1', 'imp-2', 'imp-3']);

      const dryRun = await api.csv('/api/imports?dry_run=true', 'member_id,level\nimp-9,gold\n');
      const fromDryRun = await api.call('POST', '/api/groups', { name: 'Dry', import_id: dryRun.json().id });
      expect(fromDryRun.statusCode).toBe(400);
      expect(fromDryRun.json().error.pointer).toBe('/import_id');
      const unknown = await api.call('POST', '/api/groups', { name: 'Nope', import_id: 'imp_missing' });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().error).toMatchObject({ code: 'UNKNOWN_REFERENCE', pointer: '/import_id' });
    });

    it(`${backend}: members are added and removed by user id; PATCH replaces the list and renames`, async () => {
      await api.upload(['user_id'], [['edit-1'], ['edit-2'], ['edit-3']]);
      const group = await api.create({ name: 'Editable', user_ids: ['edit-1'] });
      const added = await api.call('POST', `/api/groups/${group.id}/members`, {
        user_ids: ['edit-2', 'edit-9'],
      });
      expect(added.statusCode, added.body).toBe(200);
      expect(added.json()).toMatchObject({ users: 2, pending: 1 });
      const removed = await api.call('DELETE', `/api/groups/${group.id}/members`, {
        user_ids: ['edit-1', 'edit-9'],
      });
      expect(removed.json()).toMatchObject({ users: 1, pending: 0 });
      expect(await api.memberIds(group.id)).toEqual(['edit-2']);

      const patched = await api.call('PATCH', `/api/groups/${group.id}`, {
        name: 'Edited',
        user_ids: ['edit-3', 'edit-8'],
      });
      expect(patched.statusCode, patched.body).toBe(200);
      expect(patched.json()).toMatchObject({ name: 'Edited', users: 1, pending: 1 });
      expect(await api.memberIds(group.id)).toEqual(['edit-3']);
      const condition = await api.call('PATCH', `/api/groups/${group.id}`, {
        condition: { identified: true },
      });
      expect(condition.json().error).toMatchObject({ code: 'GROUP_TYPE_MISMATCH', pointer: '/condition' });

      expect((await api.call('DELETE', `/api/groups/${group.id}`)).statusCode).toBe(204);
      expect((await api.call('GET', `/api/groups/${group.id}`)).statusCode).toBe(404);
      expect((await api.call('DELETE', `/api/groups/${group.id}`)).statusCode).toBe(404);
    });

    it(`${backend}: an erased person leaves; a merged person's membership moves to the survivor`, async () => {
      await api.upload(['user_id'], [['gone-1'], ['stay-1']]);
      const group = await api.create({ name: 'Erasure', user_ids: ['gone-1', 'stay-1'] });
      expect((await api.call('DELETE', '/api/users/gone-1')).statusCode).toBe(200);
      expect(await api.group(group.id)).toMatchObject({ users: 1, pending: 0 });
      expect(await api.memberIds(group.id)).toEqual(['stay-1']);

      // An anonymous person in a static group (as an older version or a direct write could leave
      // it) is folded into stay-1: the membership is stay-1's, once.
      await api.batch([
        { type: 'page', anonymousId: 'anon-fold', timestamp: daysAgo(1), messageId: 'fold-1' },
      ]);
      await server.settled();
      const person = await server.store.db
        .selectFrom('devices')
        .select('person_id')
        .where('anonymous_id', '=', 'anon-fold')
        .executeTakeFirstOrThrow();
      await server.store.db
        .insertInto('group_members')
        .values({ project_id: server.projectId, group_id: group.id, person_id: person.person_id })
        .execute();
      expect(await api.group(group.id)).toMatchObject({ users: 2 });
      const merged = await api.call('POST', '/api/admin/merge', {
        into: { user_id: 'stay-1' },
        from: { person_id: Number(person.person_id) },
      });
      expect(merged.statusCode, merged.body).toBe(200);
      expect(await api.group(group.id)).toMatchObject({ users: 1 });
      expect(await api.memberIds(group.id)).toEqual(['stay-1']);
    });

    it(`${backend}: new and active users count the last 7 days`, async () => {
      // old-1: first seen 20 days ago, last event 10 days ago; old-2: first seen 20 days ago,
      // active yesterday on an anonymous device before signing in; new-1: first seen 2 days ago.
      await api.batch([
        {
          type: 'identify',
          anonymousId: 'a-old1',
          userId: 'old-1',
          timestamp: daysAgo(20),
          messageId: 'o1a',
        },
        { type: 'track', userId: 'old-1', event: 'Visit', timestamp: daysAgo(10), messageId: 'o1b' },
        {
          type: 'identify',
          anonymousId: 'a-old2',
          userId: 'old-2',
          timestamp: daysAgo(20),
          messageId: 'o2a',
        },
        { type: 'page', anonymousId: 'a-old2', timestamp: daysAgo(1), messageId: 'o2b' },
        { type: 'identify', anonymousId: 'a-new1', userId: 'new-1', timestamp: daysAgo(2), messageId: 'n1a' },
      ]);
      await server.settled();
      const group = await api.create({ name: 'Week', user_ids: ['old-1', 'old-2', 'new-1'] });
      expect(group).toMatchObject({ users: 3, new_users_7d: 1, active_users_7d: 2 });
    });
  },
  { ingestionLog: true },
);

import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CreatedProject, createProject } from '../../src/projects/create-project.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import { groupClient } from './group-client.js';

const GOLD_AND_30 = {
  all: [
    { attr: 'plan', op: 'in', value: ['gold', 'diamond'] },
    { attr: 'age', op: 'gte', value: 30 },
  ],
};

describeEachBackend('dynamic groups and in_group', (backend) => {
  let server: TestServer;
  let api: ReturnType<typeof groupClient>;
  let other: CreatedProject;
  beforeAll(async () => {
    server = await startTestServer({ backend, listen: false });
    api = groupClient(server);
    other = await createProject(server.store, 'Other site');
    const upload = await api.upload(
      ['user_id', 'plan', 'age'],
      [
        ['u-gold-40', 'gold', '40'],
        ['u-gold-20', 'gold', '20'],
        ['u-diamond-30', 'diamond', '30'],
        ['u-silver-50', 'silver', '50'],
        ['u-none', '', '35'],
      ],
    );
    expect(upload.statusCode, upload.body).toBe(200);
  });
  afterAll(() => server.close());

  it(`${backend}: a condition's members, its live preview, and a change of condition`, async () => {
    const preview = await api.call('POST', '/api/groups/preview', { condition: GOLD_AND_30 });
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json()).toEqual({ users: 2 });
    const group = await api.create({ name: 'Gold 30+', condition: GOLD_AND_30 });
    expect(group).toMatchObject({ type: 'dynamic', users: 2, condition: GOLD_AND_30, new_users_7d: 2 });
    expect(group.pending).toBeUndefined();
    expect(await api.memberIds(group.id)).toEqual(['u-diamond-30', 'u-gold-40']);

    const changed = await api.call('PATCH', `/api/groups/${group.id}`, {
      condition: { attr: 'age', op: 'gte', value: 35 },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ users: 3 });
    expect(await api.memberIds(group.id)).toEqual(['u-gold-40', 'u-none', 'u-silver-50']);
    const add = await api.call('POST', `/api/groups/${group.id}/members`, { user_ids: ['u-gold-20'] });
    expect(add.json().error.code).toBe('GROUP_TYPE_MISMATCH');
  });

  it(`${backend}: an attribute no one holds yet is allowed, with a warning`, async () => {
    const condition = { attr: 'favourite_team', op: 'eq', value: 'Tigers' };
    const preview = (await api.call('POST', '/api/groups/preview', { condition })).json();
    expect(preview).toMatchObject({
      users: 0,
      warnings: [{ code: 'UNKNOWN_ATTRIBUTE', pointer: '/condition/attr' }],
    });
    const group = await api.create({ name: 'Tigers fans', condition });
    expect(group.warnings?.[0].code).toBe('UNKNOWN_ATTRIBUTE');
  });

  it(`${backend}: groups use groups; a group in use is not deleted; cycles and unknown groups are refused`, async () => {
    const golds = await api.create({ name: 'Golds', user_ids: ['u-gold-40', 'u-gold-20', 'u-later'] });
    const older = await api.create({
      name: 'Older golds',
      condition: { all: [{ in_group: golds.id }, { attr: 'age', op: 'gt', value: 25 }] },
    });
    expect(older.users).toBe(1);
    const notOlder = await api.create({
      name: 'Not older golds',
      condition: { not: { in_group: older.id } },
    });
    expect(notOlder.users).toBe(4);
    await api.upload(['user_id', 'age'], [['u-later', '60']]);
    expect((await api.group(older.id)).users).toBe(2);
    expect((await api.group(notOlder.id)).users).toBe(4);

    const inUse = await api.call('DELETE', `/api/groups/${golds.id}`);
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().error).toMatchObject({
      code: 'GROUP_IN_USE',
      message: expect.stringContaining('Older golds'),
    });

    const cycle = await api.call('PATCH', `/api/groups/${older.id}`, {
      condition: { any: [{ identified: false }, { in_group: notOlder.id }] },
    });
    expect(cycle.statusCode).toBe(400);
    expect(cycle.json().error).toMatchObject({ code: 'GROUP_CYCLE', pointer: '/condition/any/1/in_group' });
    const self = await api.call('PATCH', `/api/groups/${older.id}`, { condition: { in_group: older.id } });
    expect(self.json().error).toMatchObject({ code: 'GROUP_CYCLE', pointer: '/condition/in_group' });
    expect((await api.group(older.id)).condition).toEqual({
      all: [{ in_group: golds.id }, { attr: 'age', op: 'gt', value: 25 }],
    });

    const missing = await api.call('POST', '/api/groups', {
      name: 'Missing',
      condition: { all: [{ identified: true }, { any: [{ in_group: 'grp_nope' }] }] },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toMatchObject({
      code: 'UNKNOWN_REFERENCE',
      pointer: '/condition/all/1/any/0/in_group',
    });
    const theirs = await createGroupIn(other, { name: 'Theirs', user_ids: ['x'] });
    const crossed = await api.call('POST', '/api/groups/preview', { condition: { in_group: theirs } });
    expect(crossed.json().error).toMatchObject({ code: 'UNKNOWN_REFERENCE', pointer: '/condition/in_group' });

    // Once nothing uses them, they go; a deleted group can no longer be named.
    expect((await api.call('DELETE', `/api/groups/${notOlder.id}`)).statusCode).toBe(204);
    expect((await api.call('DELETE', `/api/groups/${older.id}`)).statusCode).toBe(204);
    expect((await api.call('DELETE', `/api/groups/${golds.id}`)).statusCode).toBe(204);
    const deleted = await api.call('POST', '/api/groups/preview', { condition: { in_group: golds.id } });
    expect(deleted.json().error.code).toBe('UNKNOWN_REFERENCE');
  });

  it(`${backend}: a bad condition gets 400 INVALID_CONDITION pointing at the bad part, and nothing is saved`, async () => {
    const bad = await api.call('POST', '/api/groups', {
      name: 'Bad',
      condition: { all: [{ identified: true }, { attr: 'age', op: 'resembles', value: 3 }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'INVALID_CONDITION', pointer: '/condition/all/1/op' });
    const preview = await api.call('POST', '/api/groups/preview', { condition: { all: 'x' } });
    expect(preview.json().error).toMatchObject({ code: 'INVALID_CONDITION', pointer: '/condition/all' });
    const names = (await api.call('GET', '/api/groups')).json().groups.map((g: { name: string }) => g.name);
    expect(names).not.toContain('Bad');
  });

  async function createGroupIn(project: CreatedProject, body: unknown): Promise<string> {
    const response = await groupClient({
      app: server.app,
      apiKey: project.api_key,
      writeKey: project.write_key,
    }).create(body as Record<string, unknown>);
    return response.id;
  }
});

import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CreatedProject, createApiKey, createProject } from '../../src/projects/create-project.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import { groupClient } from './group-client.js';

describeEachBackend('group members, export, isolation and bad input', (backend) => {
  let server: TestServer;
  let api: ReturnType<typeof groupClient>;
  let other: CreatedProject;
  let otherApi: ReturnType<typeof groupClient>;
  let bigGroup: string;
  const memberIds = Array.from({ length: 250 }, (_, i) => `m-${String(i).padStart(3, '0')}`);
  beforeAll(async () => {
    server = await startTestServer({ backend, listen: false });
    api = groupClient(server);
    other = await createProject(server.store, 'Other site');
    otherApi = groupClient({ app: server.app, apiKey: other.api_key, writeKey: other.write_key });
    expect(
      (
        await api.upload(
          ['user_id'],
          memberIds.map((id) => [id]),
        )
      ).statusCode,
    ).toBe(200);
    bigGroup = (await api.create({ name: 'Big', user_ids: [...memberIds, 'never-seen'] })).id;
  });
  afterAll(() => server.close());

  it(`${backend}: members page by an opaque cursor, in person-id order, total on every page`, async () => {
    const pages: {
      members: { person_id: number; user_id: string }[];
      total: number;
      next_cursor: string | null;
    }[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const response = await api.call('GET', `/api/groups/${bigGroup}/members?limit=100${query}`);
      expect(response.statusCode, response.body).toBe(200);
      pages.push(response.json());
      cursor = response.json().next_cursor;
    } while (cursor !== null);
    expect(pages.map((p) => p.members.length)).toEqual([100, 100, 50]);
    expect(pages.every((p) => p.total === 250)).toBe(true);
    const all = pages.flatMap((p) => p.members);
    expect(all.map((m) => m.user_id).sort()).toEqual(memberIds);
    const personIds = all.map((m) => m.person_id);
    expect(personIds).toEqual([...personIds].sort((a, b) => a - b));
    expect(new Set(personIds).size).toBe(250);
    expect(all[0]).toEqual({
      person_id: expect.any(Number),
      user_id: expect.any(String),
      first_seen: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      last_seen: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it(`${backend}: a tampered cursor, or one of another group, is refused with 400 INVALID_CURSOR`, async () => {
    const first = (await api.call('GET', `/api/groups/${bigGroup}/members?limit=10`)).json();
    const cursor: string = first.next_cursor;
    const tampered = `${cursor.slice(0, -2)}${cursor.endsWith('A') ? 'B' : 'A'}A`;
    for (const bad of [tampered, 'not-a-cursor', cursor.slice(0, 10)]) {
      const response = await api.call(
        'GET',
        `/api/groups/${bigGroup}/members?cursor=${encodeURIComponent(bad)}`,
      );
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('INVALID_CURSOR');
    }
    const small = await api.create({ name: 'Small', user_ids: memberIds.slice(0, 3) });
    const crossed = await api.call(
      'GET',
      `/api/groups/${small.id}/members?cursor=${encodeURIComponent(cursor)}`,
    );
    expect(crossed.json().error.code).toBe('INVALID_CURSOR');
  });

  it(`${backend}: the CSV export streams every member, with formula cells defused`, async () => {
    await api.upload(['user_id'], [['=HYPERLINK("x")'], ['plain,comma']]);
    const group = await api.create({ name: 'Export', user_ids: ['=HYPERLINK("x")', 'plain,comma', 'm-001'] });
    const response = await api.call('GET', `/api/groups/${group.id}/members.csv`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    const lines = response.body
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe('person_id,user_id,first_seen,last_seen');
    const userIds = lines.slice(1).map((line) => line.split(',')[1]);
    expect(lines).toHaveLength(4);
    expect(userIds).toContain('m-001');
    expect(lines.some((l) => l.includes(`"'=HYPERLINK(""x"")"`))).toBe(true);
    expect(lines.some((l) => l.includes('"plain,comma"'))).toBe(true);

    const big = await api.call('GET', `/api/groups/${bigGroup}/members.csv`);
    expect(big.body.trimEnd().split('\r\n')).toHaveLength(251);
  });

  it(`${backend}: another project's key sees none of this project's groups`, async () => {
    expect((await otherApi.call('GET', '/api/groups')).json()).toEqual({ groups: [] });
    for (const [method, url, body] of [
      ['GET', `/api/groups/${bigGroup}`],
      ['GET', `/api/groups/${bigGroup}/members`],
      ['GET', `/api/groups/${bigGroup}/members.csv`],
      ['PATCH', `/api/groups/${bigGroup}`, { name: 'Stolen' }],
      ['POST', `/api/groups/${bigGroup}/members`, { user_ids: ['x-1'] }],
      ['DELETE', `/api/groups/${bigGroup}/members`, { user_ids: ['m-001'] }],
      ['DELETE', `/api/groups/${bigGroup}`],
    ] as const) {
      const response = await otherApi.call(method, url, body);
      expect(response.statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await api.group(bigGroup)).users).toBe(250);
    // The same name is free in another project; an import of this project is not the other's.
    const imported = await api.csv('/api/imports', 'member_id\nm-001\n');
    const stolen = await otherApi.call('POST', '/api/groups', { name: 'Big', import_id: imported.json().id });
    expect(stolen.json().error).toMatchObject({ code: 'UNKNOWN_REFERENCE', pointer: '/import_id' });
    expect(
      (await otherApi.call('POST', '/api/groups', { name: 'Big', user_ids: ['m-001'] })).json(),
    ).toMatchObject({
      users: 0,
      pending: 1,
    });
  });

  it(`${backend}: bad input gets a 4xx with a pointer at the bad part; nothing is half written`, async () => {
    const cases: [unknown, string, string | undefined][] = [
      [{ user_ids: ['a-1'] }, 'INVALID_BODY', '/name'],
      [{ name: '   ', user_ids: ['a-1'] }, 'INVALID_BODY', '/name'],
      [{ name: 'X', user_ids: 'a-1' }, 'INVALID_BODY', '/user_ids'],
      [{ name: 'X', user_ids: ['a-1', 'undefined'] }, 'ILLEGAL_USER_ID', '/user_ids/1'],
      [{ name: 'X', user_ids: ['a-1', { id: 1 }] }, 'INVALID_BODY', '/user_ids/1'],
      [{ name: 'X', user_ids: ['a-1'], import_id: 'imp' }, 'INVALID_BODY', '/import_id'],
      [{ name: 'X' }, 'INVALID_BODY', undefined],
      [{ name: 'X', user_ids: [], extra: 1 }, 'INVALID_BODY', '/extra'],
      [{ name: 'Big', user_ids: ['a-1'] }, 'GROUP_NAME_TAKEN', '/name'],
    ];
    for (const [body, code, pointer] of cases) {
      const response = await api.call('POST', '/api/groups', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(code === 'GROUP_NAME_TAKEN' ? 409 : 400);
      expect(response.json().error, JSON.stringify(body)).toMatchObject({
        code,
        ...(pointer ? { pointer } : {}),
      });
    }
    const names = (await api.call('GET', '/api/groups')).json().groups.map((g: { name: string }) => g.name);
    expect(names).not.toContain('X');
    const rename = await api.call('PATCH', `/api/groups/${bigGroup}`, { name: 'Small' });
    expect(rename.json().error).toMatchObject({ code: 'GROUP_NAME_TAKEN', pointer: '/name' });
    const badAdd = await api.call('POST', `/api/groups/${bigGroup}/members`, { user_ids: ['ok-1', ''] });
    expect(badAdd.json().error).toMatchObject({ code: 'ILLEGAL_USER_ID', pointer: '/user_ids/1' });
    expect((await api.group(bigGroup)).pending).toBe(1);
  });

  it(`${backend}: scope query reads groups, scope admin changes them`, async () => {
    const reader = await createApiKey(server.store.db, server.projectId, 'reader', ['query']);
    expect((await api.call('GET', `/api/groups/${bigGroup}`, undefined, reader.key)).statusCode).toBe(200);
    expect((await api.call('GET', `/api/groups/${bigGroup}/members`, undefined, reader.key)).statusCode).toBe(
      200,
    );
    const refused = await api.call('POST', '/api/groups', { name: 'R', user_ids: ['a-1'] }, reader.key);
    expect(refused.statusCode).toBe(403);
    expect((await api.call('DELETE', `/api/groups/${bigGroup}`, undefined, reader.key)).statusCode).toBe(403);
  });
});

import { afterEach, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';

describeEachBackend('bulk attribute upload', (backend) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const upload = (body: unknown, apiKey = server?.apiKey) =>
    server!.app.inject({
      method: 'POST',
      url: '/v1/user/profiles',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
  const profile = async (userId: string) => {
    const response = await server!.app.inject({
      method: 'GET',
      url: `/api/users/${userId}`,
      headers: { authorization: `Bearer ${server!.apiKey}` },
    });
    return response.json() as { attributes: Record<string, unknown>; imported: boolean; bound: boolean };
  };

  it(`${backend}: the brief's body creates users with typed attributes`, async () => {
    server = await startTestServer({ backend, listen: false });
    const response = await upload({
      field_name: ['user_id', 'membership_level', 'total_purchase'],
      values: [
        ['user123', 'gold', '5000'],
        ['user456', 'silver', '3000'],
      ],
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      received: 2,
      created: 2,
      updated: 0,
      unchanged: 0,
      failed: 0,
      errors: [],
    });
    const user = await profile('user123');
    expect(user.attributes).toMatchObject({ membership_level: 'gold', total_purchase: 5000 });
    expect(user).toMatchObject({ imported: true, bound: false });
  });

  it(`${backend}: "" leaves a value, null unsets it, and a second upload updates`, async () => {
    server = await startTestServer({ backend, listen: false });
    await upload({ field_name: ['user_id', 'plan', 'city'], values: [['user-42', 'gold', 'Osaka']] });
    const second = await upload({
      field_name: ['user_id', 'plan', 'city'],
      values: [
        ['user-42', '', null],
        ['user-43', 'silver', ''],
      ],
    });
    expect(second.json()).toMatchObject({ received: 2, created: 1, updated: 1, failed: 0 });
    expect((await profile('user-42')).attributes).toMatchObject({ plan: 'gold' });
    expect((await profile('user-42')).attributes).not.toHaveProperty('city');
    const again = await upload({ field_name: ['user_id', 'plan'], values: [['user-43', 'silver']] });
    expect(again.json()).toMatchObject({ updated: 0, unchanged: 1 });
  });

  it(`${backend}: bad rows are reported with row, user id, field and code; good rows are written`, async () => {
    server = await startTestServer({ backend, listen: false });
    const declared = await server.app.inject({
      method: 'PUT',
      url: '/api/attributes/age',
      headers: { authorization: `Bearer ${server.apiKey}` },
      payload: { type: 'number' },
    });
    expect(declared.statusCode).toBe(200);
    const response = await upload({
      field_name: ['user_id', 'age', 'note'],
      values: [
        ['user-1', '31', 'ok'],
        ['anonymous', '20', 'placeholder id'],
        ['user-2', 'thirty', 'not a number'],
        ['user-3', '40'],
        ['user-4', '22', 'x'.repeat(4097)],
        ['user-5', '22', { nested: true }],
        ['user-1', '32', 'repeated'],
      ],
    });
    const body = response.json();
    expect(body).toMatchObject({ received: 7, created: 1, updated: 1, failed: 5, duplicates: 1 });
    expect(
      body.errors.map((e: { row: number; user_id: string; field: string; code: string }) => [
        e.row,
        e.user_id,
        e.field,
        e.code,
      ]),
    ).toEqual([
      [1, 'anonymous', 'user_id', 'ILLEGAL_USER_ID'],
      [2, 'user-2', 'age', 'VALUE_TYPE_MISMATCH'],
      [3, 'user-3', null, 'RAGGED_ROW'],
      [4, 'user-4', 'note', 'VALUE_TOO_LONG'],
      [5, 'user-5', 'note', 'INVALID_VALUE'],
    ]);
    expect(body.warnings).toMatchObject([{ row: 6, user_id: 'user-1', code: 'DUPLICATE_USER_ID' }]);
    expect((await profile('user-1')).attributes).toMatchObject({ age: 32, note: 'repeated' });
  });

  it(`${backend}: limits and field names refuse the whole request, naming the problem`, async () => {
    server = await startTestServer({
      backend,
      listen: false,
      config: { maxProfilesPerRequest: 2, maxProfileFields: 3 },
    });
    const cases: [unknown, number, string, RegExp][] = [
      [
        { field_name: ['user_id'], values: [['a1'], ['a2'], ['a3']] },
        413,
        'TOO_MANY_PROFILES',
        /limit of 2 users/,
      ],
      [{ field_name: ['user_id', 'a', 'b', 'c'], values: [] }, 413, 'TOO_MANY_FIELDS', /limit of 3 fields/],
      [
        { field_name: ['member', 'plan'], values: [['m1', 'gold']] },
        400,
        'FIELD_NAME_MISSING_USER_ID',
        /user_id/,
      ],
      [
        { field_name: ['user_id', 'plan', 'plan'], values: [] },
        400,
        'DUPLICATE_FIELD_NAME',
        /"plan" appears twice/,
      ],
      [{ field_name: ['user_id', '$first_seen'], values: [] }, 400, 'INVALID_ATTRIBUTE_NAME', /reserved/],
      [{ field_name: ['user_id', 'n'.repeat(129)], values: [] }, 400, 'INVALID_ATTRIBUTE_NAME', /128/],
      [{ values: [] }, 400, 'INVALID_BODY', /field_name/],
    ];
    for (const [body, status, code, message] of cases) {
      const response = await upload(body);
      expect(response.statusCode, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(response.json().error.code).toBe(code);
      expect(response.json().error.message).toMatch(message);
    }
  });

  it(`${backend}: a key without the upload scope, or of another project, is refused`, async () => {
    server = await startTestServer({ backend, listen: false });
    const created = await server.app.inject({
      method: 'POST',
      url: '/api/keys',
      headers: { authorization: `Bearer ${server.apiKey}` },
      payload: { name: 'reporting', scopes: ['query'] },
    });
    const queryKey = created.json().key as string;
    const refused = await upload({ field_name: ['user_id'], values: [['u1']] }, queryKey);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('API_KEY_SCOPE');
    const unknown = await upload({ field_name: ['user_id'], values: [['u1']] }, 'sk_not_a_key');
    expect(unknown.statusCode).toBe(401);
  });

  it(`${backend}: imported users are "imported, not bound" until they visit, then one profile holds both`, async () => {
    server = await startTestServer({ backend, listen: false });
    await upload({
      field_name: ['user_id', 'plan'],
      values: [
        ['member-7', 'diamond'],
        ['member-8', 'gold'],
      ],
    });
    const stats = async () =>
      (
        await server!.app.inject({
          method: 'GET',
          url: '/api/stats/identification',
          headers: { authorization: `Bearer ${server!.apiKey}` },
        })
      ).json();
    expect(await stats()).toMatchObject({
      persons: 2,
      identified: 2,
      imported: 2,
      bound: 0,
      imported_not_bound: 2,
    });
    const identify = await server.app.inject({
      method: 'POST',
      url: '/v1/identify',
      payload: {
        writeKey: server.writeKey,
        anonymousId: 'anon-phone',
        userId: 'member-7',
        traits: { email: 'm7@example.com' },
      },
    });
    expect(identify.statusCode).toBe(200);
    expect(await stats()).toMatchObject({ persons: 2, imported: 2, bound: 1, imported_not_bound: 1 });
    const user = await profile('member-7');
    expect(user).toMatchObject({ imported: true, bound: true });
    expect(user.attributes).toMatchObject({ plan: 'diamond', email: 'm7@example.com' });
  });
});

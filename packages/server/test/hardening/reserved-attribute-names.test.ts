import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';

/** Issue 11, defect 6: `__proto__` would be stored and counted, then vanish from plain-object views. */
describeEachBackend('the attribute name __proto__', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend, listen: false });
  });
  afterAll(() => server.close());
  const headers = () => ({ authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' });

  it(`${backend}: is skipped with a warning in traits, the other traits are stored`, async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/identify',
      headers: { 'content-type': 'application/json' },
      payload: `{"writeKey":"${server.writeKey}","userId":"user-42","messageId":"m-proto","traits":{"__proto__":"x","plan":"pro"}}`,
    });
    expect(response.json()).toMatchObject({
      success: true,
      warnings: [
        { messageId: 'm-proto', code: 'ATTRIBUTE_SKIPPED', message: expect.stringContaining('__proto__') },
      ],
    });
    await server.settled();
    const profile = await server.app.inject({ url: '/api/users/user-42', headers: headers() });
    expect(Object.keys(profile.json().attributes).filter((name) => !name.startsWith('$'))).toEqual(['plan']);
  });

  it(`${backend}: is refused as a field of a bulk upload, naming it`, async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/user/profiles',
      headers: headers(),
      payload: '{"field_name":["user_id","__proto__"],"values":[["user-7","x"]]}',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({
      code: 'INVALID_ATTRIBUTE_NAME',
      message: expect.stringContaining('__proto__'),
    });
  });
});

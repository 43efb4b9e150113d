import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { buildApp } from '../../src/http/build-app.js';
import { createProject } from '../../src/projects/create-project.js';
import { openStore, type Store } from '../../src/storage/store.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { adminQuery, describeEachBackend, postgresUrl } from '../support/test-stores.js';

describeEachBackend('API key management', (backend) => {
  let server: TestServer | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await server?.close();
    server = undefined;
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, key: string, payload?: object) =>
    server!.app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, payload });

  it(`${backend}: creates a key shown once, lists it by prefix, revokes it at once`, async () => {
    server = await startTestServer({ backend, listen: false });
    const created = await call('POST', '/api/keys', server.apiKey, { name: 'crm sync', scopes: ['upload'] });
    expect(created.statusCode).toBe(201);
    const { id, key, prefix } = created.json();
    expect(key).toMatch(/^sk_/);
    expect(key.startsWith(prefix)).toBe(true);

    const upload = await call('POST', '/v1/user/profiles', key, {
      field_name: ['user_id'],
      values: [['user-42']],
    });
    expect(upload.statusCode).toBe(200);
    const listed = (await call('GET', '/api/keys', server.apiKey)).json().keys;
    const crm = listed.find((k: { id: string }) => k.id === id);
    expect(crm).toMatchObject({ name: 'crm sync', prefix, scopes: ['upload'], revoked_at: null });
    expect(crm.last_used_at).not.toBeNull();
    expect(JSON.stringify(listed)).not.toContain(key);

    expect((await call('DELETE', `/api/keys/${id}`, server.apiKey)).json()).toEqual({ revoked: true, id });
    const after = await call('POST', '/v1/user/profiles', key, {
      field_name: ['user_id'],
      values: [['user-43']],
    });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('INVALID_API_KEY');
    const again = await call('DELETE', `/api/keys/${id}`, server.apiKey);
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('KEY_NOT_FOUND');
  });

  it(`${backend}: key management needs the admin scope and stays inside the project`, async () => {
    server = await startTestServer({ backend, listen: false });
    const upload = (
      await call('POST', '/api/keys', server.apiKey, { name: 'uploader', scopes: ['upload'] })
    ).json();
    expect((await call('GET', '/api/keys', upload.key)).statusCode).toBe(403);
    const bad = await call('POST', '/api/keys', server.apiKey, { name: 'x', scopes: ['root'] });
    expect(bad.statusCode).toBe(400);
    const other = await createProject(server.store, 'Other site');
    const foreign = await call('DELETE', `/api/keys/${upload.id}`, other.api_key);
    expect(foreign.statusCode).toBe(404);
    expect(
      (await call('POST', '/v1/user/profiles', upload.key, { field_name: ['user_id'], values: [['u1']] }))
        .statusCode,
    ).toBe(200);
  });

  it(`${backend}: a key over its rate limit gets 429 with Retry-After`, async () => {
    server = await startTestServer({ backend, listen: false, config: { apiKeyRateLimitPerSecond: 2 } });
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await call('GET', '/api/imports', server.apiKey));
    const limited = answers.find((a) => a.statusCode === 429);
    expect(limited?.json().error.code).toBe('RATE_LIMITED');
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it(`${backend}: a key revoked through one server process stops at once on another`, async () => {
    const location = await sharedLocation(backend, cleanups);
    const stores: Store[] = [
      openStore(location.url, location.options),
      openStore(location.url, location.options),
    ];
    await stores[0].migrate();
    const project = await createProject(stores[0], 'Shared');
    const [first, second] = await Promise.all(stores.map((store) => buildApp({ store })));
    cleanups.push(async () => {
      await first.close();
      await second.close();
      for (const store of stores) await store.close();
    });
    const on = (
      app: typeof first,
      method: 'GET' | 'POST' | 'DELETE',
      url: string,
      key: string,
      payload?: object,
    ) => app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, payload });
    const { id, key } = (
      await on(first, 'POST', '/api/keys', project.api_key, { name: 'temp', scopes: ['upload'] })
    ).json();
    expect((await on(second, 'GET', '/api/imports', key)).statusCode).toBe(200);
    await on(first, 'DELETE', `/api/keys/${id}`, project.api_key);
    expect((await on(second, 'GET', '/api/imports', key)).statusCode).toBe(401);
  });
});

/** One database two stores can open: an SQLite file, or a fresh PostgreSQL schema. */
async function sharedLocation(backend: string, cleanups: (() => Promise<void>)[]) {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'acquaint-keys-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    return { url: join(dir, 'acquaint.db'), options: {} };
  }
  const schema = `k_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create schema ${schema}`);
  cleanups.push(() => adminQuery(`drop schema ${schema} cascade`));
  return { url: postgresUrl, options: { schema } };
}

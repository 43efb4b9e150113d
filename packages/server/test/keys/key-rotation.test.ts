import { afterEach, expect, it } from 'vitest';
import { userHashFor } from '../../src/projects/keys.js';
import { apiClient } from '../api/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';

describeEachBackend(
  'rotating the write key and the identity secret',
  (backend) => {
    let server: TestServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    it(`${backend}: a rotated write key is refused, the new one answered once and accepted`, async () => {
      server = await startTestServer({ backend, listen: false });
      const old = apiClient(server);
      const query = (await old.post('/api/keys', { name: 'reader', scopes: ['query'] })).json().key;
      expect((await old.post('/api/project/write-key/rotate', {}, query)).statusCode).toBe(403);

      const rotated = await old.post('/api/project/write-key/rotate', {});
      expect(rotated.statusCode, rotated.body).toBe(200);
      const writeKey = rotated.json().write_key as string;
      expect(writeKey).toMatch(/^wk_/);
      expect(writeKey).not.toBe(server.writeKey);

      const refused = await old.send('track', { event: 'Old key', userId: 'user-42' });
      expect(refused.statusCode).toBe(401);
      const fresh = apiClient({ ...server, writeKey });
      expect((await fresh.send('track', { event: 'New key', userId: 'user-42' })).statusCode).toBe(200);
      expect((await fresh.get('/api/project')).json()).toMatchObject({ write_key: writeKey });
      const audit = (await fresh.get('/api/admin/audit-log')).json();
      expect(JSON.stringify(audit)).toContain('rotate_write_key');
    });

    it(`${backend}: after the identity secret rotates, hashes made with the old one are refused`, async () => {
      server = await startTestServer({ backend, listen: false });
      const client = apiClient(server);
      await server.app.inject({
        method: 'PATCH',
        url: '/api/project',
        headers: { authorization: `Bearer ${server.apiKey}` },
        payload: { verify_identity: true },
      });
      const oldSecret = server.identitySecret;
      const rotated = await client.post('/api/project/identity-secret/rotate', {});
      expect(rotated.statusCode, rotated.body).toBe(200);
      const secret = rotated.json().identity_secret as string;
      expect(secret).toMatch(/^[0-9a-f]{64}$/);
      expect(secret).not.toBe(oldSecret);

      const withOld = await client.send('identify', {
        userId: 'user-42',
        userHash: userHashFor(oldSecret, 'user-42'),
        traits: { plan: 'old' },
      });
      expect(withOld.json().rejected).toEqual([expect.objectContaining({ code: 'INVALID_USER_HASH' })]);
      const withNew = await client.send('identify', {
        userId: 'user-42',
        userHash: userHashFor(secret, 'user-42'),
        traits: { plan: 'new' },
      });
      expect(withNew.json()).toEqual({ success: true });
      expect((await client.get('/api/users/user-42')).json().attributes.plan).toBe('new');
    });
  },
  { ingestionLog: true },
);

import { afterEach, beforeEach, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import { apiClient, type TrackingAnswer, warningsOf } from './api-client.js';

describeEachBackend(
  'large batches',
  (backend) => {
    let server: TestServer;
    beforeEach(async () => {
      server = await startTestServer({ backend, listen: false });
    });
    afterEach(() => server.close());

    it(`${backend}: a batch naming thousands of ids is stored whole (no lock-table exhaustion)`, async () => {
      const batch = Array.from({ length: 8000 }, (_, i) => ({
        type: 'page',
        anonymousId: `anon-${i}`,
        userId: `user-${i}`,
        messageId: `m-${i}`,
      }));
      const response = await apiClient(server).batch(batch);
      expect(response.statusCode, response.body).toBe(200);
      expect((response.json() as TrackingAnswer).rejected).toBeUndefined();
      const stats = await apiClient(server).get('/api/stats/identification');
      expect(stats.json()).toMatchObject({ persons: 8000, identified: 8000, devices: 8000 });
    });

    it(`${backend}: a batch of thousands of identifies with many trait names each is stored`, async () => {
      const traits = Object.fromEntries(Array.from({ length: 700 }, (_, i) => [`trait_${i}`, i]));
      const batch = Array.from({ length: 5 }, (_, i) => ({ type: 'identify', userId: `user-${i}`, traits }));
      const response = await apiClient(server).batch(batch);
      expect(response.statusCode, response.body).toBe(200);
      const profile = await apiClient(server).get('/api/users/user-4');
      expect((profile.json() as { attributes: Record<string, unknown> }).attributes.trait_699).toBe(699);
    });

    it(`${backend}: over 10,000 messages a request is refused, and long issue lists are cut with a total`, async () => {
      const tooMany = await apiClient(server).batch(Array.from({ length: 10_001 }, () => 1));
      expect(tooMany.statusCode).toBe(413);
      expect(tooMany.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
      expect(tooMany.json().error.message).toContain('10000');

      const bad = await apiClient(server).batch(Array.from({ length: 2500 }, () => 1));
      expect(bad.statusCode).toBe(200);
      const answer = bad.json() as TrackingAnswer & { rejected_total?: number };
      expect(answer.rejected).toHaveLength(1000);
      expect(answer.rejected_total).toBe(2500);
    });

    it(`${backend}: past 2,000 attribute names a project's new names are skipped with a warning`, async () => {
      const traits = (from: number, count: number) =>
        Object.fromEntries(Array.from({ length: count }, (_, i) => [`name_${from + i}`, 1]));
      const first = await apiClient(server).batch([
        { type: 'identify', userId: 'user-a', traits: traits(0, 1990) },
      ]);
      expect((first.json() as TrackingAnswer).warnings).toBeUndefined();
      const second = await apiClient(server).batch([
        {
          type: 'identify',
          userId: 'user-b',
          messageId: 'm-over',
          traits: { ...traits(0, 5), ...traits(1990, 20) },
        },
      ]);
      const skipped = (await warningsOf(server, second.json() as TrackingAnswer, ['m-over'])).filter(
        ([, code]) => code === 'ATTRIBUTE_SKIPPED',
      );
      expect(skipped).toEqual(Array.from({ length: 10 }, () => ['m-over', 'ATTRIBUTE_SKIPPED']));
      const profile = (await apiClient(server).get('/api/users/user-b')).json() as {
        attributes: Record<string, unknown>;
      };
      expect(Object.keys(profile.attributes).filter((k) => k.startsWith('name_'))).toHaveLength(15);
    });
  },
  { ingestionLog: true },
);

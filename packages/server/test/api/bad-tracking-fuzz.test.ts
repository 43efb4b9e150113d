import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeEachBackend } from '../support/test-stores.js';
import type { TrackingAnswer } from './api-client.js';
import { countEvents, useBadInputServer } from './bad-input-server.js';

describeEachBackend(
  'bad input: arbitrary tracking bodies',
  (backend) => {
    const server = useBadInputServer(backend);

    it(`${backend}: property: arbitrary bodies and messages never get a 5xx and accepted messages are stored once`, async () => {
      /** Mostly plausible values, sometimes anything: so that many messages are stored and many refused. */
      const mostly = <T>(good: fc.Arbitrary<T>) =>
        fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: fc.jsonValue() });
      const id = fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom('anon-phone', 'anon-laptop', 'user-42', 'user-7') },
        fc.constantFrom('null', '0', '', ' guest '),
        fc.string({ maxLength: 8 }),
        fc.string({ maxLength: 4, unit: 'binary' }),
        fc.integer(),
        fc.constant(null),
      );
      const message = fc.record(
        {
          type: mostly(fc.constantFrom('identify', 'track', 'page', 'screen', 'group', 'alias')),
          userId: id,
          anonymousId: id,
          previousId: id,
          event: mostly(fc.string({ minLength: 1, maxLength: 10, unit: 'binary' })),
          traits: mostly(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }))),
          properties: mostly(fc.object({ maxDepth: 3 })),
          context: mostly(fc.record({ userAgent: fc.string(), page: fc.record({ url: fc.webUrl() }) })),
          timestamp: mostly(fc.date({ noInvalidDate: true }).map((d) => d.toISOString())),
          sentAt: mostly(fc.date({ noInvalidDate: true }).map((d) => d.toISOString())),
          messageId: fc.oneof(
            { weight: 8, arbitrary: fc.uuid() },
            fc.constantFrom('m-1', 'm-2'),
            fc.jsonValue(),
          ),
        },
        { requiredKeys: ['type'] },
      );
      const body = fc.oneof(
        {
          weight: 4,
          arbitrary: fc
            .array(fc.oneof({ weight: 5, arbitrary: message }, fc.jsonValue()), { maxLength: 6 })
            .map((batch) => ({ batch })),
        },
        { weight: 1, arbitrary: fc.jsonValue() },
      );

      let stored = 0;
      await fc.assert(
        fc.asyncProperty(body, async (payload) => {
          const before = await countEvents(server());
          const withKey =
            typeof payload === 'object' && payload !== null && !Array.isArray(payload)
              ? { ...payload, writeKey: server().writeKey }
              : payload;
          const response = await server().app.inject({
            method: 'POST',
            url: '/v1/batch',
            headers: { 'content-type': 'application/json' },
            payload: JSON.stringify(withKey),
          });
          expect(response.statusCode, response.body).toBeLessThan(500);
          const after = await countEvents(server());
          if (response.statusCode !== 200) {
            expect(after).toBe(before);
            return;
          }
          const answer = response.json() as TrackingAnswer;
          const batch = (payload as { batch: unknown[] }).batch;
          const rejected = answer.rejected?.length ?? 0;
          const duplicates = answer.warnings?.filter((w) => w.code === 'DUPLICATE_MESSAGE_ID').length ?? 0;
          expect(after - before).toBe(batch.length - rejected - duplicates);
          stored += after - before;
        }),
        { numRuns: 150, seed: 20260302 },
      );
      expect(stored).toBeGreaterThan(60);
    });
  },
  { ingestionLog: true },
);

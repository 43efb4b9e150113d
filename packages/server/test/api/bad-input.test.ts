import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import { apiClient, type TrackingAnswer } from './api-client.js';

async function countEvents(server: TestServer): Promise<number> {
  await server.settled();
  const row = await server.store.db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('project_id', '=', server.projectId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describeEachBackend(
  'bad input',
  (backend) => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ backend, listen: false, config: { rateLimitBurst: 1e9 } });
    });
    afterAll(() => server.close());

    const raw = (url: string, payload: string, contentType = 'application/json') =>
      server.app.inject({ method: 'POST', url, headers: { 'content-type': contentType }, payload });
    const batchOne = async (message: Record<string, unknown>) => {
      const response = await apiClient(server).batch([message]);
      expect(response.statusCode).toBe(200);
      return response.json() as TrackingAnswer;
    };

    it(`${backend}: malformed JSON, an empty body and a non-object body are 400 with a code`, async () => {
      const cases: [string, string][] = [
        ['{"batch": [', 'INVALID_JSON'],
        ['', 'INVALID_BODY'],
        ['   ', 'INVALID_BODY'],
        ['[1, 2]', 'INVALID_BODY'],
        ['"hello"', 'INVALID_BODY'],
        ['42', 'INVALID_BODY'],
        ['null', 'INVALID_BODY'],
      ];
      for (const [body, code] of cases) {
        const response = await raw('/v1/batch', body);
        expect(response.statusCode, body).toBe(400);
        expect(response.json().error.code, body).toBe(code);
        expect(response.json().error.message.length, body).toBeGreaterThan(10);
      }
    });

    it(`${backend}: "batch" that is not an array is 400 naming the field`, async () => {
      for (const batch of [{}, 'x', null, 3]) {
        const response = await raw('/v1/batch', JSON.stringify({ writeKey: server.writeKey, batch }));
        expect(response.statusCode).toBe(400);
        expect(response.json().error).toMatchObject({
          code: 'INVALID_BODY',
          message: expect.stringContaining('batch'),
        });
      }
    });

    it(`${backend}: tracking bodies are read as JSON whatever their label; the server API refuses other types with 415`, async () => {
      const form = await raw('/v1/batch', 'a=1', 'application/x-www-form-urlencoded');
      expect(form.statusCode).toBe(400);
      expect(form.json().error.code).toBe('INVALID_JSON');
      const api = await server.app.inject({
        method: 'PATCH',
        url: '/api/project',
        headers: {
          authorization: `Bearer ${server.apiKey}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        payload: 'name=x',
      });
      expect(api.statusCode).toBe(415);
      expect(api.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });

    it(`${backend}: fields of the wrong type are rejected per message, naming the field`, async () => {
      const response = await apiClient(server).batch([
        { type: 'identify', userId: 'user-types', traits: 'gold', messageId: 'm-traits' },
        { type: 'track', userId: 'user-types', event: 42, messageId: 'm-event' },
        {
          type: 'track',
          userId: { id: 7 },
          anonymousId: 'anon-types',
          event: 'Clicked',
          messageId: 'm-userid',
        },
        { type: 'track', userId: 'user-types', event: 'Clicked', properties: [1, 2], messageId: 'm-props' },
        { type: 'shout', userId: 'user-types', messageId: 'm-type' },
        'not a message',
        { type: 'track', userId: 'user-types', event: 'Fine', messageId: 'm-fine' },
      ]);
      const answer = response.json() as TrackingAnswer;
      expect(answer.rejected?.map((r) => [r.index, r.messageId, r.code])).toEqual([
        [0, 'm-traits', 'INVALID_MESSAGE'],
        [1, 'm-event', 'MISSING_EVENT_NAME'],
        [3, 'm-props', 'INVALID_MESSAGE'],
        [4, 'm-type', 'UNKNOWN_MESSAGE_TYPE'],
        [5, null, 'INVALID_MESSAGE'],
      ]);
      expect(answer.rejected?.[0].message).toContain('traits');
      // A userId that is an object is illegal: the track is kept under its anonymous id.
      expect(answer.warnings).toEqual([
        expect.objectContaining({ index: 2, messageId: 'm-userid', code: 'ILLEGAL_USER_ID_IGNORED' }),
      ]);
      await server.settled();
      const events = await server.store.db
        .selectFrom('events')
        .select(['message_id', 'anonymous_id', 'user_id'])
        .where('message_id', 'in', ['m-userid', 'm-fine'])
        .orderBy('message_id')
        .execute();
      expect(events).toEqual([
        { message_id: 'm-fine', anonymous_id: null, user_id: 'user-types' },
        { message_id: 'm-userid', anonymous_id: 'anon-types', user_id: null },
      ]);
    });

    it(`${backend}: unknown fields are kept with an UNKNOWN_FIELD warning`, async () => {
      const answer = await batchOne({
        type: 'track',
        userId: 'user-extra',
        event: 'Clicked',
        colour: 'red',
        messageId: 'm-colour',
      });
      expect(answer.rejected).toBeUndefined();
      expect(answer.warnings).toEqual([
        {
          index: 0,
          messageId: 'm-colour',
          code: 'UNKNOWN_FIELD',
          message: expect.stringContaining('"colour"'),
        },
      ]);
      expect((await apiClient(server).get('/api/users/user-extra/events')).json().total).toBe(1);
    });

    it(`${backend}: deeply nested properties are TOO_DEEPLY_NESTED; huge ones MESSAGE_TOO_LARGE`, async () => {
      let deep: Record<string, unknown> = { leaf: true };
      for (let i = 0; i < 50; i++) deep = { inner: deep };
      const answer = (
        await apiClient(server).batch([
          { type: 'track', userId: 'user-deep', event: 'Deep', properties: deep, messageId: 'm-deep' },
          { type: 'identify', userId: 'user-deep', traits: deep, messageId: 'm-deep-traits' },
          {
            type: 'track',
            userId: 'user-deep',
            event: 'Wide',
            properties: { list: Array(20_000).fill('abcd') },
            messageId: 'm-wide',
          },
        ])
      ).json() as TrackingAnswer;
      expect(answer.rejected?.map((r) => [r.messageId, r.code])).toEqual([
        ['m-deep', 'TOO_DEEPLY_NESTED'],
        ['m-deep-traits', 'TOO_DEEPLY_NESTED'],
        ['m-wide', 'MESSAGE_TOO_LARGE'],
      ]);
    });

    it(`${backend}: illegal ids: identify refused, other messages kept under the legal id`, async () => {
      const answer = (
        await apiClient(server).batch([
          { type: 'identify', anonymousId: 'anon-illegal', userId: 'undefined', messageId: 'm-id-1' },
          { type: 'identify', anonymousId: 'anon-illegal', userId: ' "NULL" ', messageId: 'm-id-2' },
          { type: 'identify', anonymousId: 'anon-illegal', userId: '0000-00', messageId: 'm-id-3' },
          { type: 'identify', anonymousId: 'anon-illegal', userId: 'u'.repeat(256), messageId: 'm-id-4' },
          {
            type: 'track',
            anonymousId: 'anon-illegal',
            userId: '[object Object]',
            event: 'Kept',
            messageId: 'm-id-5',
          },
          { type: 'track', anonymousId: 'guest', userId: 'null', event: 'Lost', messageId: 'm-id-6' },
          { type: 'track', event: 'No ids', messageId: 'm-id-7' },
        ])
      ).json() as TrackingAnswer;
      expect(answer.rejected?.map((r) => [r.messageId, r.code])).toEqual([
        ['m-id-1', 'ILLEGAL_USER_ID'],
        ['m-id-2', 'ILLEGAL_USER_ID'],
        ['m-id-3', 'ILLEGAL_USER_ID'],
        ['m-id-4', 'ILLEGAL_USER_ID'],
        ['m-id-6', 'MISSING_ID'],
        ['m-id-7', 'MISSING_ID'],
      ]);
      expect(answer.warnings?.map((w) => [w.messageId, w.code])).toEqual([
        ['m-id-5', 'ILLEGAL_USER_ID_IGNORED'],
      ]);
      await server.settled();
      const persons = await server.store.db
        .selectFrom('persons')
        .select('user_id')
        .where('project_id', '=', server.projectId)
        .where('user_id', 'in', ['undefined', 'null', '[object Object]', '0000-00'])
        .execute();
      expect(persons).toEqual([]);
    });

    it(`${backend}: a client clock 1 hour ahead is corrected by sentAt`, async () => {
      const now = Date.now();
      const clientClock = now + 60 * 60_000;
      const answer = await batchOne({
        type: 'track',
        userId: 'user-skewed',
        event: 'Clicked',
        messageId: 'm-skew',
        timestamp: new Date(clientClock - 5_000).toISOString(),
        sentAt: new Date(clientClock).toISOString(),
      });
      expect(answer.warnings).toBeUndefined();
      const [event] = (await apiClient(server).get('/api/users/user-skewed/events')).json().events;
      const stored = Date.parse(event.timestamp);
      expect(Math.abs(stored - (now - 5_000))).toBeLessThan(3_000);
    });

    it(`${backend}: a far-future timestamp without sentAt is clamped with TIMESTAMP_CLAMPED`, async () => {
      const before = Date.now();
      const answer = await batchOne({
        type: 'track',
        userId: 'user-future',
        event: 'Clicked',
        messageId: 'm-future',
        timestamp: '2099-01-01T00:00:00.000Z',
      });
      expect(answer.warnings?.map((w) => w.code)).toEqual(['TIMESTAMP_CLAMPED']);
      const [event] = (await apiClient(server).get('/api/users/user-future/events')).json().events;
      expect(Date.parse(event.timestamp)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(event.timestamp)).toBeLessThanOrEqual(Date.now());
    });

    it(`${backend}: an unparseable timestamp or sentAt is INVALID_TIMESTAMP`, async () => {
      const answer = (
        await apiClient(server).batch([
          { type: 'track', userId: 'user-when', event: 'A', messageId: 'm-ts-1', timestamp: 'yesterday' },
          { type: 'track', userId: 'user-when', event: 'B', messageId: 'm-ts-2', timestamp: 1700000000 },
          { type: 'track', userId: 'user-when', event: 'C', messageId: 'm-ts-3', sentAt: 'soon' },
        ])
      ).json() as TrackingAnswer;
      expect(answer.rejected?.map((r) => [r.messageId, r.code])).toEqual([
        ['m-ts-1', 'INVALID_TIMESTAMP'],
        ['m-ts-2', 'INVALID_TIMESTAMP'],
        ['m-ts-3', 'INVALID_TIMESTAMP'],
      ]);
    });

    it(`${backend}: a duplicate messageId in the same batch and in a later one is stored once`, async () => {
      const message = { type: 'track', userId: 'user-dup', event: 'Bought', messageId: 'm-dup' };
      const first = (await apiClient(server).batch([message, message])).json() as TrackingAnswer;
      expect(first.warnings?.map((w) => [w.index, w.code])).toEqual([[1, 'DUPLICATE_MESSAGE_ID']]);
      const retry = (await apiClient(server).batch([message])).json() as TrackingAnswer;
      expect(retry.warnings?.map((w) => w.code)).toEqual(['DUPLICATE_MESSAGE_ID']);
      expect((await apiClient(server).get('/api/users/user-dup/events')).json().total).toBe(1);
    });

    it(`${backend}: bad messageIds are rejected`, async () => {
      const answer = (
        await apiClient(server).batch([
          { type: 'track', userId: 'user-mid', event: 'A', messageId: '' },
          { type: 'track', userId: 'user-mid', event: 'B', messageId: 12 },
          { type: 'track', userId: 'user-mid', event: 'C', messageId: 'm'.repeat(256) },
        ])
      ).json() as TrackingAnswer;
      expect(answer.rejected?.map((r) => r.code)).toEqual([
        'INVALID_MESSAGE',
        'INVALID_MESSAGE',
        'INVALID_MESSAGE',
      ]);
    });

    it(`${backend}: NUL characters and unpaired surrogates are stored as U+FFFD, never a 500`, async () => {
      const response = await apiClient(server).batch([
        {
          type: 'identify',
          anonymousId: 'anon-nul',
          userId: 'user-nul',
          traits: { nick: 'a\u0000b' },
          messageId: 'm-nul-1',
        },
        {
          type: 'track',
          userId: 'user-nul',
          event: 'Typed\u0000',
          properties: { 'key\u0000': '\ud800', ok: '😀' },
          context: { userAgent: 'ua\u0000' },
          messageId: 'm-nul-2',
        },
      ]);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().rejected).toBeUndefined();
      const profile = (await apiClient(server).get('/api/users/user-nul')).json();
      expect(profile.attributes.nick).toBe('a\ufffdb');
      const [track] = (await apiClient(server).get('/api/users/user-nul/events')).json().events;
      expect(track.name).toBe('Typed\ufffd');
      expect(track.properties).toEqual({ 'key\ufffd': '\ufffd', ok: '😀' });
    });

    it(`${backend}: a NUL or broken UTF-8 in the URL is 400, a person id past 2^53 is 400`, async () => {
      const api = apiClient(server);
      for (const url of [
        '/api/users/user%00x',
        '/api/users?q=a%00b',
        '/api/users/%FF%FE',
        '/api/persons/99999999999999999999',
      ]) {
        const response = await api.get(url);
        expect(response.statusCode, url).toBe(400);
        expect(response.json().error.code, url).toBe('INVALID_BODY');
      }
      const merge = await api.post('/api/admin/merge', {
        into: { person_id: 1e20 },
        from: { user_id: 'user-nul' },
      });
      expect(merge.statusCode).toBe(400);
    });

    it(`${backend}: paging numbers past their column's range are 400, never a 500`, async () => {
      const api = apiClient(server);
      const upload = await api.post('/v1/user/profiles', {
        field_name: ['user_id'],
        values: [['user-paged']],
      });
      expect(upload.statusCode).toBe(200);
      const [job] = (await api.get('/api/imports')).json().imports as { id: string }[];
      for (const url of [
        '/api/ingestion/warnings?before=99999999999999999999',
        `/api/imports/${job.id}/users?after=2147483648`,
        `/api/imports/${job.id}/users?after=99999999999999999999`,
      ]) {
        const response = await api.get(url);
        expect([url, response.statusCode, response.json().error?.code]).toEqual([url, 400, 'INVALID_BODY']);
      }
      expect((await api.get(`/api/imports/${job.id}/users?after=2147483647`)).json()).toEqual({
        user_ids: [],
        next: null,
      });
    });

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
          const before = await countEvents(server);
          const withKey =
            typeof payload === 'object' && payload !== null && !Array.isArray(payload)
              ? { ...payload, writeKey: server.writeKey }
              : payload;
          const response = await server.app.inject({
            method: 'POST',
            url: '/v1/batch',
            headers: { 'content-type': 'application/json' },
            payload: JSON.stringify(withKey),
          });
          expect(response.statusCode, response.body).toBeLessThan(500);
          const after = await countEvents(server);
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

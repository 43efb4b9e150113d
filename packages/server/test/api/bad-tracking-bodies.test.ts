import { expect, it } from 'vitest';
import { describeEachBackend } from '../support/test-stores.js';
import { apiClient, type TrackingAnswer } from './api-client.js';
import { batchOne, postRaw, useBadInputServer } from './bad-input-server.js';

describeEachBackend(
  'bad input: tracking bodies of the wrong shape, type or size',
  (backend) => {
    const server = useBadInputServer(backend);

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
        const response = await postRaw(server(), '/v1/batch', body);
        expect(response.statusCode, body).toBe(400);
        expect(response.json().error.code, body).toBe(code);
        expect(response.json().error.message.length, body).toBeGreaterThan(10);
      }
    });

    it(`${backend}: "batch" that is not an array is 400 naming the field`, async () => {
      for (const batch of [{}, 'x', null, 3]) {
        const response = await postRaw(
          server(),
          '/v1/batch',
          JSON.stringify({ writeKey: server().writeKey, batch }),
        );
        expect(response.statusCode).toBe(400);
        expect(response.json().error).toMatchObject({
          code: 'INVALID_BODY',
          message: expect.stringContaining('batch'),
        });
      }
    });

    it(`${backend}: tracking bodies are read as JSON whatever their label; the server API refuses other types with 415`, async () => {
      const form = await postRaw(server(), '/v1/batch', 'a=1', 'application/x-www-form-urlencoded');
      expect(form.statusCode).toBe(400);
      expect(form.json().error.code).toBe('INVALID_JSON');
      const api = await server().app.inject({
        method: 'PATCH',
        url: '/api/project',
        headers: {
          authorization: `Bearer ${server().apiKey}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        payload: 'name=x',
      });
      expect(api.statusCode).toBe(415);
      expect(api.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });

    it(`${backend}: fields of the wrong type are rejected per message, naming the field`, async () => {
      const response = await apiClient(server()).batch([
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
      await server().settled();
      const events = await server()
        .store.db.selectFrom('events')
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
      const answer = await batchOne(server(), {
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
      expect((await apiClient(server()).get('/api/users/user-extra/events')).json().total).toBe(1);
    });

    it(`${backend}: deeply nested properties are TOO_DEEPLY_NESTED; huge ones MESSAGE_TOO_LARGE`, async () => {
      let deep: Record<string, unknown> = { leaf: true };
      for (let i = 0; i < 50; i++) deep = { inner: deep };
      const answer = (
        await apiClient(server()).batch([
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
  },
  { ingestionLog: true },
);

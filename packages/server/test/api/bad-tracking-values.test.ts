import { expect, it } from 'vitest';
import { describeEachBackend } from '../support/test-stores.js';
import { apiClient, type TrackingAnswer } from './api-client.js';
import { batchOne, useBadInputServer } from './bad-input-server.js';

describeEachBackend(
  'bad input: tracking ids, times, message ids and text that are wrong',
  (backend) => {
    const server = useBadInputServer(backend);

    it(`${backend}: illegal ids: identify refused, other messages kept under the legal id`, async () => {
      const answer = (
        await apiClient(server()).batch([
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
      await server().settled();
      const persons = await server()
        .store.db.selectFrom('persons')
        .select('user_id')
        .where('project_id', '=', server().projectId)
        .where('user_id', 'in', ['undefined', 'null', '[object Object]', '0000-00'])
        .execute();
      expect(persons).toEqual([]);
    });

    it(`${backend}: a client clock 1 hour ahead is corrected by sentAt`, async () => {
      const now = Date.now();
      const clientClock = now + 60 * 60_000;
      const answer = await batchOne(server(), {
        type: 'track',
        userId: 'user-skewed',
        event: 'Clicked',
        messageId: 'm-skew',
        timestamp: new Date(clientClock - 5_000).toISOString(),
        sentAt: new Date(clientClock).toISOString(),
      });
      expect(answer.warnings).toBeUndefined();
      const [event] = (await apiClient(server()).get('/api/users/user-skewed/events')).json().events;
      const stored = Date.parse(event.timestamp);
      expect(Math.abs(stored - (now - 5_000))).toBeLessThan(3_000);
    });

    it(`${backend}: a far-future timestamp without sentAt is clamped with TIMESTAMP_CLAMPED`, async () => {
      const before = Date.now();
      const answer = await batchOne(server(), {
        type: 'track',
        userId: 'user-future',
        event: 'Clicked',
        messageId: 'm-future',
        timestamp: '2099-01-01T00:00:00.000Z',
      });
      expect(answer.warnings?.map((w) => w.code)).toEqual(['TIMESTAMP_CLAMPED']);
      const [event] = (await apiClient(server()).get('/api/users/user-future/events')).json().events;
      expect(Date.parse(event.timestamp)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(event.timestamp)).toBeLessThanOrEqual(Date.now());
    });

    it(`${backend}: an unparseable timestamp or sentAt is INVALID_TIMESTAMP`, async () => {
      const answer = (
        await apiClient(server()).batch([
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
      const first = (await apiClient(server()).batch([message, message])).json() as TrackingAnswer;
      expect(first.warnings?.map((w) => [w.index, w.code])).toEqual([[1, 'DUPLICATE_MESSAGE_ID']]);
      const retry = (await apiClient(server()).batch([message])).json() as TrackingAnswer;
      expect(retry.warnings?.map((w) => w.code)).toEqual(['DUPLICATE_MESSAGE_ID']);
      expect((await apiClient(server()).get('/api/users/user-dup/events')).json().total).toBe(1);
    });

    it(`${backend}: bad messageIds are rejected`, async () => {
      const answer = (
        await apiClient(server()).batch([
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
      const response = await apiClient(server()).batch([
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
      const profile = (await apiClient(server()).get('/api/users/user-nul')).json();
      expect(profile.attributes.nick).toBe('a\ufffdb');
      const [track] = (await apiClient(server()).get('/api/users/user-nul/events')).json().events;
      expect(track.name).toBe('Typed\ufffd');
      expect(track.properties).toEqual({ 'key\ufffd': '\ufffd', ok: '😀' });
    });
  },
  { ingestionLog: true },
);

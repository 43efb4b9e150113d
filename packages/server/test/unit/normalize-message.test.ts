import { describe, expect, it } from 'vitest';
import { normalizeMessage } from '../../src/ingestion/normalize-message.js';

const RECEIVED = Date.parse('2026-03-02T12:00:00.000Z');
const options = { receivedAt: RECEIVED, maxMessageBytes: 64 * 1024, identityCheck: null };
const iso = (ms: number) => new Date(ms).toISOString();

function normalize(
  message: Record<string, unknown>,
  extra: Partial<typeof options> & { batchSentAt?: unknown } = {},
) {
  return normalizeMessage(message, 0, { ...options, ...extra });
}

describe('message time', () => {
  it('a client clock one hour ahead is corrected with sentAt, without a warning', () => {
    const ahead = RECEIVED + 3_600_000;
    const result = normalize({
      type: 'track',
      userId: 'user-42',
      event: 'A',
      timestamp: iso(ahead - 10_000),
      sentAt: iso(ahead),
    });
    expect(result).toMatchObject({ ok: true, warnings: [], message: { timestamp: RECEIVED - 10_000 } });
  });

  it("the batch's sentAt corrects messages that have none", () => {
    const behind = RECEIVED - 7_200_000;
    const result = normalize(
      { type: 'track', userId: 'user-42', event: 'A', timestamp: iso(behind - 5_000) },
      { batchSentAt: iso(behind) },
    );
    expect(result.ok && result.message.timestamp).toBe(RECEIVED - 5_000);
  });

  it('a timestamp more than a minute in the future is clamped with TIMESTAMP_CLAMPED; a few seconds silently', () => {
    const far = normalize({
      type: 'track',
      userId: 'user-42',
      event: 'A',
      timestamp: '2099-01-01T00:00:00Z',
    });
    expect(far).toMatchObject({
      ok: true,
      message: { timestamp: RECEIVED },
      warnings: [{ code: 'TIMESTAMP_CLAMPED' }],
    });
    const near = normalize({
      type: 'track',
      userId: 'user-42',
      event: 'A',
      timestamp: iso(RECEIVED + 5_000),
    });
    expect(near).toMatchObject({ ok: true, message: { timestamp: RECEIVED }, warnings: [] });
  });

  it('no timestamp means the receive time; an unreadable one is INVALID_TIMESTAMP', () => {
    expect(normalize({ type: 'track', userId: 'user-42', event: 'A' })).toMatchObject({
      message: { timestamp: RECEIVED },
    });
    for (const timestamp of ['yesterday', 1_700_000_000, {}, '2026-13-45']) {
      const result = normalize({ type: 'track', userId: 'user-42', event: 'A', timestamp });
      expect(result, String(timestamp)).toMatchObject({
        ok: false,
        rejection: { code: 'INVALID_TIMESTAMP' },
      });
    }
  });
});

describe('message shape', () => {
  it('a message id is kept when given and made when missing', () => {
    expect(normalize({ type: 'page', anonymousId: 'anon-phone', messageId: 'm-1' })).toMatchObject({
      message: { messageId: 'm-1' },
    });
    const made = normalize({ type: 'page', anonymousId: 'anon-phone' });
    expect(made.ok && made.message.messageId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('traits of an identify become attribute operations; context.traits is the fallback', () => {
    const result = normalize({ type: 'identify', userId: 'user-42', context: { traits: { plan: 'gold' } } });
    expect(result.ok && result.message.attributeOperations).toEqual([
      { op: 'set', name: 'plan', value: 'gold' },
    ]);
  });

  it('messages from the browser SDK are tagged sdk, the rest server', () => {
    const sdk = normalize({
      type: 'page',
      anonymousId: 'anon-phone',
      context: { library: { name: 'acquaint-js' } },
    });
    expect(sdk.ok && sdk.message.source).toBe('sdk');
    const server = normalize({
      type: 'page',
      anonymousId: 'anon-phone',
      context: { library: { name: 'analytics-node' } },
    });
    expect(server.ok && server.message.source).toBe('server');
  });

  it('an alias needs a legal previousId and userId', () => {
    expect(normalize({ type: 'alias', previousId: 'anon-old', userId: 'user-42' })).toMatchObject({
      ok: true,
      message: { previousId: 'anon-old', userId: 'user-42' },
    });
    expect(normalize({ type: 'alias', previousId: 'null', userId: 'user-42' })).toMatchObject({
      rejection: { code: 'MISSING_ID' },
    });
    expect(normalize({ type: 'alias', previousId: 'anon-old', userId: 'guest' })).toMatchObject({
      rejection: { code: 'ILLEGAL_USER_ID' },
    });
  });
});

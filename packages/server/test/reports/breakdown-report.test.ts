import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiClient } from '../api/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import { patchTimeZone, SHOP_MESSAGES, SHOP_RANGE } from './report-fixtures.js';

describeEachBackend('behaviour reports: breakdown', (backend) => {
  let server: TestServer;
  let api: ReturnType<typeof apiClient>;
  const breakdown = async (body: Record<string, unknown>) => {
    const response = await api.post('/api/reports/breakdown', { ...SHOP_RANGE, ...body });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };
  /** `[key, visitors, value]` of each row, for compact expectations. */
  const table = (answer: { rows: { key: unknown; visitors: number; value: number | null }[] }) =>
    answer.rows.map((row) => [row.key, row.visitors, row.value]);

  beforeAll(async () => {
    server = await startTestServer({ backend, listen: false });
    api = apiClient(server);
    const sent = await api.batch(SHOP_MESSAGES);
    expect(sent.json()).toMatchObject({ success: true });
    await server.settled();
  });
  afterAll(() => server.close());

  it(`${backend}: conversion by membership counts a purchase made before signing in, and leaves the bot out`, async () => {
    const answer = await breakdown({
      metric: { type: 'conversion_rate', event: 'purchase' },
      breakdown: { attr: 'membership_level' },
    });
    // Visitors of 2–3 March: alice (gold: bought on her phone before signing in → converted),
    // bob (silver, no purchase), carol and erin (no membership; both bought). The Googlebot
    // "gold member" and dave (outside the range) are not visitors. null has 2 visitors, so it
    // leads; gold and silver tie at 1 and read in key order.
    expect(table(answer)).toEqual([
      [null, 2, 1],
      ['gold', 1, 1],
      ['silver', 1, 0],
    ]);
    expect(answer.other).toBeNull();
    expect(answer.timezone).toBe('UTC');
  });

  it(`${backend}: a member on two devices is one visitor whose sessions and page views add up`, async () => {
    // alice: a phone session (page, purchase, identify) and a laptop session (identify, page).
    // null row: carol 1 session + 1 page; erin 2 sessions (laptop, phone) + 2 pages.
    const sessions = await breakdown({
      metric: { type: 'sessions' },
      breakdown: { attr: 'membership_level' },
    });
    expect(table(sessions)).toEqual([
      [null, 2, 3],
      ['gold', 1, 2],
      ['silver', 1, 1],
    ]);
    const perVisitor = await breakdown({
      metric: { type: 'sessions_per_visitor' },
      breakdown: { attr: 'membership_level' },
    });
    expect(table(perVisitor)).toEqual([
      [null, 2, 1.5],
      ['gold', 1, 2],
      ['silver', 1, 1],
    ]);
    const pages = await breakdown({ metric: { type: 'pageviews' }, breakdown: { attr: 'membership_level' } });
    expect(table(pages)).toEqual([
      [null, 2, 3],
      ['gold', 1, 2],
      ['silver', 1, 1],
    ]);
    const purchases = await breakdown({
      metric: { type: 'event_count', event: 'purchase' },
      breakdown: { attr: 'membership_level' },
    });
    expect(table(purchases)).toEqual([
      [null, 2, 2],
      ['gold', 1, 1],
      ['silver', 1, 0],
    ]);
  });

  it(`${backend}: by device type a person counts in each type they used, converting where they bought`, async () => {
    // desktop: alice's laptop, bob's laptop, erin's laptop (nobody bought on a laptop);
    // mobile: alice's, carol's and erin's phones (all three bought there). No `bot` row.
    const answer = await breakdown({
      metric: { type: 'conversion_rate', event: 'purchase' },
      breakdown: { device_type: true },
    });
    expect(table(answer)).toEqual([
      ['desktop', 3, 0],
      ['mobile', 3, 1],
    ]);
  });

  it(`${backend}: a list attribute counts in the row of each element`, async () => {
    // alice: sports and music; bob: music; carol and erin hold no interests.
    const answer = await breakdown({ metric: { type: 'visitors' }, breakdown: { attr: 'interests' } });
    expect(table(answer)).toEqual([
      ['music', 2, 2],
      [null, 2, 2],
      ['sports', 1, 1],
    ]);
  });

  it(`${backend}: numbers are keys as numbers, whether stored as 34 or "34"`, async () => {
    // age is a number attribute (alice sent 34 first); bob's "34" reads as the number 34.
    const answer = await breakdown({ metric: { type: 'visitors' }, breakdown: { attr: 'age' } });
    expect(table(answer)).toEqual([
      [34, 2, 2],
      [null, 2, 2],
    ]);
  });

  it(`${backend}: a datetime is keyed by its day in the project's time zone`, async () => {
    // alice signed up at 2026-03-01T20:00Z: 1 March in UTC, 2 March in Tokyo (UTC+9).
    const utc = await breakdown({ metric: { type: 'visitors' }, breakdown: { attr: 'signup_date' } });
    expect(table(utc)).toEqual([
      [null, 3, 3],
      ['2026-03-01', 1, 1],
    ]);
    const patch = await patchTimeZone(server, 'asia/tokyo');
    expect(patch.statusCode, patch.body).toBe(200);
    try {
      const tokyo = await breakdown({ metric: { type: 'visitors' }, breakdown: { attr: 'signup_date' } });
      expect(table(tokyo)).toEqual([
        [null, 3, 3],
        ['2026-03-02', 1, 1],
      ]);
      expect(tokyo.timezone).toBe('Asia/Tokyo');
    } finally {
      await patchTimeZone(server, 'UTC');
    }
  });

  it(`${backend}: a day series counts each day's visitors and conversions`, async () => {
    const answer = await breakdown({
      metric: { type: 'conversion_rate', event: 'purchase' },
      breakdown: { attr: 'membership_level' },
      interval: 'day',
    });
    // 2 March: carol and erin bought (null), alice bought (gold), bob did not (silver).
    // 3 March: only alice, on her laptop, buying nothing; days without visitors have no rate.
    expect(answer.rows).toEqual([
      {
        key: null,
        visitors: 2,
        value: 1,
        series: [
          { start: '2026-03-02', visitors: 2, value: 1 },
          { start: '2026-03-03', visitors: 0, value: null },
        ],
      },
      {
        key: 'gold',
        visitors: 1,
        value: 1,
        series: [
          { start: '2026-03-02', visitors: 1, value: 1 },
          { start: '2026-03-03', visitors: 1, value: 0 },
        ],
      },
      {
        key: 'silver',
        visitors: 1,
        value: 0,
        series: [
          { start: '2026-03-02', visitors: 1, value: 0 },
          { start: '2026-03-03', visitors: 0, value: null },
        ],
      },
    ]);
  });

  it(`${backend}: by group, a person counts in every group holding them`, async () => {
    const group = async (name: string, condition: unknown) => {
      const created = await api.post('/api/groups', { name, condition });
      expect(created.statusCode).toBe(201);
      return (created.json() as { id: string }).id;
    };
    const music = await group('Music lovers', { attr: 'interests', op: 'contains', value: 'music' });
    const gold = await group('Gold', { attr: 'membership_level', op: 'eq', value: 'gold' });
    const none = await group('Nobody', { attr: 'membership_level', op: 'eq', value: 'platinum' });
    const answer = await breakdown({
      metric: { type: 'conversion_rate', event: 'purchase' },
      breakdown: { groups: [music, gold, none] },
    });
    // Music lovers: alice (bought) and bob (did not); Gold: alice, also a music lover, counts in
    // both. The bot's "gold" person is no visitor; dave (gold) visited outside the range.
    // The empty group still has its row.
    expect(answer.rows).toEqual([
      { key: music, name: 'Music lovers', visitors: 2, value: 0.5 },
      { key: gold, name: 'Gold', visitors: 1, value: 1 },
      { key: none, name: 'Nobody', visitors: 0, value: null },
    ]);

    const unknown = await api.post('/api/reports/breakdown', {
      ...SHOP_RANGE,
      metric: { type: 'visitors' },
      breakdown: { groups: [music, 'grp_missing'] },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({
      error: { code: 'UNKNOWN_GROUP', pointer: '/breakdown/groups/1' },
    });
  });

  it(`${backend}: an attribute no one holds puts every visitor in the null row, with a warning`, async () => {
    const answer = await breakdown({ metric: { type: 'visitors' }, breakdown: { attr: 'shoe_size' } });
    expect(table(answer)).toEqual([[null, 4, 4]]);
    expect(answer.warnings).toEqual([
      expect.objectContaining({ code: 'UNKNOWN_ATTRIBUTE', pointer: '/breakdown/attr' }),
    ]);
  });

  it(`${backend}: another project's events count for nobody here`, async () => {
    const { createProject } = await import('../../src/projects/create-project.js');
    const other = await createProject(server.store, 'Other site');
    const response = await api.post(
      '/api/reports/breakdown',
      { ...SHOP_RANGE, metric: { type: 'visitors' }, breakdown: { device_type: true } },
      other.api_key,
    );
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ rows: [], other: null });
  });
});

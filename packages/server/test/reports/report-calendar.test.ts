import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiClient, WINDOWS_CHROME_UA } from '../api/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import { patchTimeZone } from './report-fixtures.js';

const visit = (anonymousId: string, timestamp: string, traits: Record<string, unknown> = {}) => ({
  type: 'identify',
  anonymousId,
  userId: `user-${anonymousId}`,
  timestamp,
  traits,
  context: { userAgent: WINDOWS_CHROME_UA },
});

describeEachBackend('behaviour reports: days, weeks and the row cap', (backend) => {
  let server: TestServer;
  let api: ReturnType<typeof apiClient>;
  const breakdown = async (body: Record<string, unknown>) => {
    const response = await api.post('/api/reports/breakdown', body);
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };

  beforeAll(async () => {
    server = await startTestServer({ backend, listen: false });
    api = apiClient(server);
    const patch = await patchTimeZone(server, 'Asia/Tokyo');
    expect(patch.statusCode, patch.body).toBe(200);
    // Tokyo is UTC+9 all year. In Tokyo wall-clock time:
    const messages = [
      visit('tk-sun', '2026-03-01T14:59:00Z'), // Sun 1 Mar 23:59
      visit('tk-mon', '2026-03-01T15:00:00Z'), // Mon 2 Mar 00:00
      visit('tk-late', '2026-03-02T14:30:00Z'), // Mon 2 Mar 23:30 (still 2 March in UTC too)
      visit('tk-early', '2026-03-02T15:30:00Z'), // Tue 3 Mar 00:30 (2 March in UTC)
      visit('tk-mon', '2026-03-05T01:00:00Z'), // Thu 5 Mar 10:00: tk-mon again, same week
      visit('tk-next', '2026-03-08T15:10:00Z'), // Mon 9 Mar 00:10: the next week
      visit('tk-out', '2026-03-09T15:00:00Z'), // Tue 10 Mar 00:00: the end of the range, outside it
    ];
    // The 50-row cap, on 20 March: 53 codes; k01 has 3 visitors, k02 has 2, the others 1 each.
    for (let i = 1; i <= 53; i++) {
      const code = `k${String(i).padStart(2, '0')}`;
      messages.push(visit(`cap-${code}`, '2026-03-20T03:00:00Z', { code }));
    }
    messages.push(visit('cap-k01-b', '2026-03-20T03:00:00Z', { code: 'k01' }));
    messages.push(visit('cap-k01-c', '2026-03-20T03:00:00Z', { code: 'k01' }));
    messages.push(visit('cap-k02-b', '2026-03-20T03:00:00Z', { code: 'k02' }));
    expect((await api.batch(messages)).json()).toMatchObject({ success: true });
    await server.settled();
  });
  afterAll(() => server.close());

  it(`${backend}: days are Tokyo days, and a date without a zone is Tokyo midnight`, async () => {
    // [2 Mar 00:00, 4 Mar 00:00) in Tokyo: tk-mon (00:00 sharp), tk-late on 2 March; tk-early on
    // 3 March; tk-sun is a minute before the start.
    const answer = await breakdown({
      metric: { type: 'visitors' },
      breakdown: { device_type: true },
      from: '2026-03-02',
      to: '2026-03-04',
      interval: 'day',
    });
    expect(answer.rows).toEqual([
      {
        key: 'desktop',
        visitors: 3,
        value: 3,
        series: [
          { start: '2026-03-02', visitors: 2, value: 2 },
          { start: '2026-03-03', visitors: 1, value: 1 },
        ],
      },
    ]);
  });

  it(`${backend}: weeks start on Monday in the project's time zone`, async () => {
    // [Sun 1 Mar, Tue 10 Mar) in Tokyo: the week of Mon 23 Feb holds tk-sun; the week of 2 March
    // holds tk-mon (twice, counted once), tk-late and tk-early; the week of 9 March holds tk-next.
    const answer = await breakdown({
      metric: { type: 'visitors' },
      breakdown: { device_type: true },
      from: '2026-03-01',
      to: '2026-03-10T00:00:00+09:00',
      interval: 'week',
    });
    expect(answer.rows[0].visitors).toBe(5);
    expect(answer.rows[0].series).toEqual([
      { start: '2026-02-23', visitors: 1, value: 1 },
      { start: '2026-03-02', visitors: 3, value: 3 },
      { start: '2026-03-09', visitors: 1, value: 1 },
    ]);
  });

  it(`${backend}: at most 50 rows by visitors; the rest are summed in other`, async () => {
    const answer = await breakdown({
      metric: { type: 'visitors' },
      breakdown: { attr: 'code' },
      from: '2026-03-20',
      to: '2026-03-21',
    });
    // k01 (3), k02 (2), then k03…k50 (1 each, in key order) make 50 rows; k51, k52, k53 remain.
    expect(answer.rows).toHaveLength(50);
    expect(answer.rows.slice(0, 3)).toEqual([
      { key: 'k01', visitors: 3, value: 3 },
      { key: 'k02', visitors: 2, value: 2 },
      { key: 'k03', visitors: 1, value: 1 },
    ]);
    expect(answer.rows[49]).toEqual({ key: 'k50', visitors: 1, value: 1 });
    expect(answer.other).toEqual({ key: null, rows: 3, visitors: 3, value: 3 });
  });

  it(`${backend}: bad requests name the bad part`, async () => {
    const base = {
      metric: { type: 'visitors' },
      breakdown: { device_type: true },
      from: '2026-03-01',
      to: '2026-03-02',
    };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...base, metric: { type: 'revenue' } }, 'INVALID_BODY', '/metric/type'],
      [{ ...base, metric: { type: 'conversion_rate' } }, 'MISSING_METRIC_EVENT', '/metric/event'],
      [{ ...base, metric: { type: 'event_count' } }, 'MISSING_METRIC_EVENT', '/metric/event'],
      [{ ...base, from: 'yesterday' }, 'INVALID_DATE_RANGE', '/from'],
      [{ ...base, to: '2026-02-30' }, 'INVALID_DATE_RANGE', '/to'],
      [{ ...base, to: '2026-03-01' }, 'INVALID_DATE_RANGE', '/to'],
      [{ ...base, from: '2025-01-01', to: '2026-03-01' }, 'INVALID_DATE_RANGE', '/to'],
      [{ ...base, interval: 'hour' }, 'INVALID_BODY', '/interval'],
      [{ ...base, breakdown: {} }, 'INVALID_BODY', '/breakdown'],
      [{ ...base, to: undefined }, 'INVALID_BODY', '/to'],
    ];
    for (const [body, code, pointer] of cases) {
      const response = await api.post('/api/reports/breakdown', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().error, JSON.stringify(body)).toMatchObject({ code, pointer });
    }
    const cross = await api.post('/api/reports/cross-device', { from: '2026-03-02', to: '2026-03-01' });
    expect(cross.statusCode).toBe(400);
    expect(cross.json().error).toMatchObject({ code: 'INVALID_DATE_RANGE', pointer: '/to' });
    const zone = await patchTimeZone(server, 'Mars/Olympus_Mons');
    expect(zone.statusCode).toBe(400);
    expect(zone.json().error).toMatchObject({ code: 'INVALID_TIMEZONE', pointer: '/timezone' });
    const project = await api.get('/api/project');
    expect(project.json().timezone).toBe('Asia/Tokyo');
  });
});

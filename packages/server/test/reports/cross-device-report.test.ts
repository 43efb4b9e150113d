import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiClient } from '../api/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import { SHOP_MESSAGES, SHOP_RANGE } from './report-fixtures.js';

describeEachBackend('behaviour reports: cross-device', (backend) => {
  let server: TestServer;
  let api: ReturnType<typeof apiClient>;
  const crossDevice = async (body: Record<string, unknown>) => {
    const response = await api.post('/api/reports/cross-device', { ...SHOP_RANGE, ...body });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };

  beforeAll(async () => {
    server = await startTestServer({ backend, listen: false });
    api = apiClient(server);
    expect((await api.batch(SHOP_MESSAGES)).json()).toMatchObject({ success: true });
    await server.settled();
  });
  afterAll(() => server.close());

  it(`${backend}: paths and touches lead up to each buyer's first purchase, across devices`, async () => {
    const answer = await crossDevice({ event: 'purchase' });
    // Identified visitors of 2–3 March: alice (phone + laptop), bob (laptop), erin (laptop + phone);
    // carol never signed in; the bot is left out.
    expect(answer.identified_visitors).toBe(3);
    expect(answer.with_2_or_more_devices).toBe(2);
    expect(answer.share).toBeCloseTo(2 / 3, 10);
    // Buyers: alice bought on her phone before her laptop was ever used → [mobile]; carol → [mobile];
    // erin browsed on her laptop in the morning and bought on her phone → [desktop, mobile].
    expect(answer.paths).toEqual([
      { path: ['mobile'], visitors: 2 },
      { path: ['desktop', 'mobile'], visitors: 1 },
    ]);
    // First sessions: alice's phone (referred by t.co), carol's phone (direct), erin's laptop
    // (utm_source=newsletter). Last sessions before buying: alice's and carol's are the same ones;
    // erin's is the phone visit referred by Google.
    expect(answer.first_touch).toEqual([
      { source: 'direct', conversions: 1 },
      { source: 'newsletter', conversions: 1 },
      { source: 't.co', conversions: 1 },
    ]);
    expect(answer.last_touch).toEqual([
      { source: 'direct', conversions: 1 },
      { source: 't.co', conversions: 1 },
      { source: 'www.google.com', conversions: 1 },
    ]);
  });

  it(`${backend}: without an event, every visitor's devices in order of first use`, async () => {
    const answer = await crossDevice({});
    // alice: phone (2 Mar) then laptop (3 Mar); bob: laptop; carol: phone; erin: laptop then phone.
    expect(answer.paths).toEqual([
      { path: ['desktop', 'mobile'], visitors: 1 },
      { path: ['desktop'], visitors: 1 },
      { path: ['mobile', 'desktop'], visitors: 1 },
      { path: ['mobile'], visitors: 1 },
    ]);
    expect(answer.first_touch).toEqual([]);
    expect(answer.last_touch).toEqual([]);
  });

  it(`${backend}: a range holding only the morning has erin on one device`, async () => {
    // Up to 10:00 on 2 March: erin's laptop (08:00) and alice's phone (09:00, not yet on her laptop).
    const answer = await crossDevice({ to: '2026-03-02T10:00:00Z', event: 'purchase' });
    expect(answer).toMatchObject({ identified_visitors: 2, with_2_or_more_devices: 0, share: 0 });
    expect(answer.paths).toEqual([{ path: ['mobile'], visitors: 1 }]);
  });
});

import { afterAll, beforeAll, expect, it } from 'vitest';
import { at } from '../api/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import { bannerBody, experienceClient } from './experience-fixtures.js';

describeEachBackend(
  'experience report',
  (backend) => {
    let server: TestServer;
    let client: ReturnType<typeof experienceClient>;
    let id: string;

    const seen = (
      who: Record<string, string>,
      minutes: number,
      variant: string,
      name = '$experience_impression',
      experience = id,
    ) => ({
      type: 'track',
      ...who,
      event: name,
      properties: { experience_id: experience, variant },
      timestamp: at(minutes),
    });
    const bought = (who: Record<string, string>, minutes: number) => ({
      type: 'track',
      ...who,
      event: 'purchase',
      timestamp: at(minutes),
    });

    beforeAll(async () => {
      server = await startTestServer({ backend, listen: false });
      client = experienceClient(server);
      id = await client.publish(
        bannerBody({
          control_weight: 20,
          goal: { event: 'purchase' },
          variants: [
            { name: 'a', weight: 50, content: { html: 'A' } },
            { name: 'b', weight: 50, content: { html: 'B' } },
          ],
        }),
      );
      const u = (n: string) => ({ userId: n, anonymousId: `${n}-laptop` });
      const messages = [
        // Variant a: u1 (two impressions, a click) and u2 buy after seeing it; u3 bought only
        // before; u4 dismissed. u2's phone saw it before signing in: the same person.
        seen(u('u1'), 10, 'a'),
        seen(u('u1'), 12, 'a'),
        seen(u('u1'), 13, 'a', '$experience_click'),
        bought(u('u1'), 20),
        seen({ anonymousId: 'u2-phone' }, 5, 'a'),
        { type: 'identify', anonymousId: 'u2-phone', userId: 'u2', timestamp: at(6) },
        seen(u('u2'), 11, 'a'),
        bought(u('u2'), 30),
        bought(u('u3'), 1),
        seen(u('u3'), 15, 'a'),
        seen(u('u4'), 15, 'a'),
        seen(u('u4'), 16, 'a', '$experience_dismiss'),
        // Control: five users, c1 buys after its impression, c2 before it.
        ...['c1', 'c2', 'c3', 'c4', 'c5'].map((c) => seen(u(c), 20, 'control')),
        bought(u('c1'), 40),
        bought(u('c2'), 19),
        // Variant b: two users, no purchase after.
        seen(u('b1'), 20, 'b'),
        seen(u('b2'), 20, 'b'),
        // Not counted: another experience, and an impression after the range.
        seen(u('x1'), 20, 'a', '$experience_impression', 'exp_other'),
        seen(u('x2'), 600, 'a'),
      ];
      const response = await server.app.inject({
        method: 'POST',
        url: '/v1/batch',
        payload: { writeKey: server.writeKey, batch: messages },
      });
      expect(response.json().rejected).toBeUndefined();
      await server.settled();
    });
    afterAll(() => server.close());

    it(`${backend}: counts per variant and control, with lift and its Katz interval, as worked out by hand`, async () => {
      const response = await client.call('GET', `/api/experiences/${id}/report?from=${at(0)}&to=${at(120)}`);
      expect(response.statusCode, response.body).toBe(200);
      const [a, b, control] = response.json().variants;
      // a: 4 users (u2's phone and laptop are one person), 6 impressions, 2 of 4 converted after
      // their first impression: rate 0.5. Control: 1 of 5 converted: rate 0.2.
      // lift = 0.5 / 0.2 − 1 = 1.5; Katz: SE = √(1/2 − 1/4 + 1/1 − 1/5) = √1.05 = 1.024695;
      // exp(ln 2.5 ∓ 1.959964 × 1.024695) − 1 = [−0.664480, 17.627820].
      expect(a).toMatchObject({
        name: 'a',
        users: 4,
        impressions: 6,
        clicks: 1,
        dismissals: 1,
        conversions: 2,
        conversion_rate: 0.5,
      });
      expect(a.lift).toBeCloseTo(1.5, 10);
      expect(a.lift_ci95[0]).toBeCloseTo(-0.66448, 5);
      expect(a.lift_ci95[1]).toBeCloseTo(17.62782, 5);
      // b: 2 users, no conversion: lift −1 and no interval (no conversion to take a log of).
      expect(b).toMatchObject({
        name: 'b',
        users: 2,
        impressions: 2,
        conversions: 0,
        conversion_rate: 0,
        lift: -1,
      });
      expect(b.lift_ci95).toBeUndefined();
      expect(control).toEqual({
        name: 'control',
        users: 5,
        impressions: 5,
        clicks: 0,
        dismissals: 0,
        conversions: 1,
        conversion_rate: 0.2,
      });
    });

    it(`${backend}: a range that leaves out the goals leaves out the conversions`, async () => {
      const early = (
        await client.call('GET', `/api/experiences/${id}/report?from=${at(0)}&to=${at(19)}`)
      ).json();
      expect(early.variants.map((v: { conversions: number }) => v.conversions)).toEqual([0, 0, 0]);
      expect(early.variants[0].users).toBe(4);
    });

    it(`${backend}: a URL goal counts page views matching its rule after the impression`, async () => {
      const pageGoal = await client.publish(
        bannerBody({ name: 'url goal', goal: { url_rule: { op: 'starts_with', value: '/thanks' } } }),
      );
      const who = { userId: 'p1', anonymousId: 'p1-laptop' };
      await server.app.inject({
        method: 'POST',
        url: '/v1/batch',
        payload: {
          writeKey: server.writeKey,
          batch: [
            seen(who, 10, 'gold', '$experience_impression', pageGoal),
            {
              type: 'page',
              ...who,
              properties: { url: 'https://shop.example/thanks?order=1' },
              timestamp: at(11),
            },
            seen({ userId: 'p2', anonymousId: 'p2-laptop' }, 10, 'gold', '$experience_impression', pageGoal),
            {
              type: 'page',
              userId: 'p2',
              anonymousId: 'p2-laptop',
              properties: { url: 'https://shop.example/cart' },
              timestamp: at(11),
            },
          ],
        },
      });
      await server.settled();
      const report = (
        await client.call('GET', `/api/experiences/${pageGoal}/report?from=${at(0)}&to=${at(60)}`)
      ).json();
      expect(report.variants[0]).toMatchObject({
        name: 'gold',
        users: 2,
        conversions: 1,
        conversion_rate: 0.5,
      });
    });

    it(`${backend}: bad ranges and unknown experiences are 4xx`, async () => {
      expect(
        (await client.call('GET', `/api/experiences/${id}/report?from=${at(10)}&to=${at(0)}`)).statusCode,
      ).toBe(400);
      expect((await client.call('GET', `/api/experiences/${id}/report?from=yesterday`)).statusCode).toBe(400);
      expect((await client.call('GET', '/api/experiences/exp_nope/report')).statusCode).toBe(404);
    });
  },
  { ingestionLog: true },
);

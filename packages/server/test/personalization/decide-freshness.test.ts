import { expect, it } from 'vitest';
import { buildApp } from '../../src/http/build-app.js';
import { at } from '../api/api-client.js';
import { describeEachBackend } from '../support/test-stores.js';
import { decideHarness, PAGE } from './decide-harness.js';
import { bannerBody, experienceClient } from './experience-fixtures.js';

/**
 * Decide keeps experiences, groups and attribute types in memory: every change must show on the
 * next decide, through this server and through another one on the same database (here a second
 * app on the same store, with its own memory and, on PostgreSQL, its own listener).
 */
describeEachBackend(
  'decide: changes show on the next decide',
  (backend) => {
    const h = decideHarness(backend);
    const withOther = async (test: (others: ReturnType<typeof experienceClient>[]) => Promise<void>) => {
      const other = await buildApp({ store: h.server.store });
      try {
        await test([h.client, experienceClient({ ...h.server, app: other })]);
      } finally {
        await other.close();
      }
    };
    const shownBy = async (client: ReturnType<typeof experienceClient>, anonymousId: string) => {
      const response = await client.decide({ anonymousId, url: PAGE });
      expect(response.statusCode, response.body).toBe(200);
      return (response.json().experiences as { id: string }[]).map((e) => e.id);
    };

    it(`${backend}: a change through one server process shows on the next decide of another`, async () => {
      const other = await buildApp({ store: h.server.store });
      try {
        const elsewhere = experienceClient({ ...h.server, app: other });
        expect((await elsewhere.decide({ anonymousId: 'anon-two', url: PAGE })).json().experiences).toEqual(
          [],
        );
        const id = await h.client.publish(bannerBody());
        expect(
          (await elsewhere.decide({ anonymousId: 'anon-two', url: PAGE }))
            .json()
            .experiences.map((e: { id: string }) => e.id),
        ).toEqual([id]);
        await h.client.call('PATCH', `/api/experiences/${id}`, {
          variants: [{ name: 'gold', weight: 100, content: { html: 'changed' } }],
        });
        expect(
          (await elsewhere.decide({ anonymousId: 'anon-two', url: PAGE })).json().experiences[0].content,
        ).toEqual({ html: 'changed' });
        await h.client.call('POST', `/api/experiences/${id}/pause`);
        expect((await elsewhere.decide({ anonymousId: 'anon-two', url: PAGE })).json().experiences).toEqual(
          [],
        );
      } finally {
        await other.close();
      }
    });

    it(`${backend}: a group's new condition shows on the next decide of every server`, async () => {
      await h.batch([
        {
          type: 'identify',
          anonymousId: 'anon-tier',
          userId: 'member-tier',
          traits: { tier: 'silver' },
          timestamp: at(0),
        },
      ]);
      const created = await h.client.call('POST', '/api/groups', {
        name: `Tier ${backend}`,
        condition: { attr: 'tier', op: 'eq', value: 'gold' },
      });
      expect(created.statusCode, created.body).toBe(201);
      const group = created.json().id as string;
      const offer = await h.client.publish(bannerBody({ name: 'tier offer', target: { groups: [group] } }));
      await withOther(async (clients) => {
        for (const client of clients) expect(await shownBy(client, 'anon-tier')).toEqual([]);
        const changed = await h.client.call('PATCH', `/api/groups/${group}`, {
          condition: { attr: 'tier', op: 'eq', value: 'silver' },
        });
        expect(changed.statusCode, changed.body).toBe(200);
        for (const client of clients) expect(await shownBy(client, 'anon-tier')).toEqual([offer]);
      });
      await h.client.call('DELETE', `/api/experiences/${offer}`);
      await h.client.call('DELETE', `/api/groups/${group}`);
    });

    it(`${backend}: an attribute a target names before anyone holds it, then uploaded, then retyped`, async () => {
      const points = `points_${backend.replace('-', '_')}`;
      const offer = await h.client.publish(
        bannerBody({ name: 'big spenders', target: { condition: { attr: points, op: 'gt', value: 100 } } }),
      );
      await h.batch([
        { type: 'identify', anonymousId: 'anon-points', userId: 'member-points', timestamp: at(0) },
      ]);
      await withOther(async (clients) => {
        for (const client of clients) expect(await shownBy(client, 'anon-points')).toEqual([]);
        const upload = await h.client.call('POST', '/v1/user/profiles', {
          field_name: ['user_id', points],
          values: [['member-points', 500]],
        });
        expect(upload.statusCode, upload.body).toBe(200);
        for (const client of clients) expect(await shownBy(client, 'anon-points')).toEqual([offer]);
        // Read as text, "500" is no longer greater than 100: the condition matches no one.
        const retyped = await h.client.call('PUT', `/api/attributes/${points}`, { type: 'string' });
        expect(retyped.statusCode, retyped.body).toBe(200);
        for (const client of clients) expect(await shownBy(client, 'anon-points')).toEqual([]);
      });
    });
  },
  { ingestionLog: true },
);

import { expect, it } from 'vitest';
import { at } from '../api/api-client.js';
import { describeEachBackend } from '../support/test-stores.js';
import { abSplit, decideHarness, PAGE } from './decide-harness.js';
import { bannerBody } from './experience-fixtures.js';

describeEachBackend(
  'decide: what shows',
  (backend) => {
    const h = decideHarness(backend);

    it(`${backend}: ids never seen get what targets everyone; drafts and paused ones are not shown`, async () => {
      const id = await h.client.publish(bannerBody());
      await h.client.call('POST', '/api/experiences', bannerBody({ name: 'draft' }));
      expect(await h.decide({ anonymousId: 'anon-never-seen', userId: 'user-never-seen' })).toEqual([
        { id, type: 'banner', variant: 'gold', content: { html: '<p>Hello </p>' }, frequency: 'every_page' },
      ]);
      await h.client.call('POST', `/api/experiences/${id}/pause`);
      expect(await h.decide({ anonymousId: 'anon-never-seen' })).toEqual([]);
    });

    it(`${backend}: pages, schedule and priority decide what shows, highest priority first`, async () => {
      const low = await h.client.publish(bannerBody({ name: 'low', priority: 1 }));
      const high = await h.client.publish(bannerBody({ name: 'high', priority: 9 }));
      await h.client.publish(
        bannerBody({ name: 'pricing only', pages: { rules: [{ op: 'starts_with', value: '/pricing' }] } }),
      );
      await h.client.publish(bannerBody({ name: 'ended', ends_at: '2020-01-01T00:00:00Z' }));
      await h.client.publish(bannerBody({ name: 'future', starts_at: '2099-01-01T00:00:00Z' }));
      const shown = await h.decide({ anonymousId: 'anon-pages' });
      expect(shown.map((e) => e.id)).toEqual([high, low]);
    });

    it(`${backend}: the control sees nothing but is answered, and a split follows the weights`, async () => {
      const id = await h.client.publish(abSplit(50));
      const counts: Record<string, number> = { control: 0, a: 0, b: 0 };
      for (let i = 0; i < 400; i++) {
        const [shown] = await h.decide({ anonymousId: `anon-split-${i}` });
        counts[shown.variant]++;
        if (shown.variant === 'control') expect(shown).toMatchObject({ id, content: null });
      }
      expect(counts.control).toBeGreaterThan(150);
      expect(counts.control).toBeLessThan(250);
      expect(counts.a).toBeGreaterThan(60);
      expect(counts.b).toBeGreaterThan(60);
    });

    it(`${backend}: once per session and once per user are kept for known persons`, async () => {
      const perSession = await h.client.publish(
        bannerBody({ name: 'session', frequency: 'once_per_session' }),
      );
      const perUser = await h.client.publish(bannerBody({ name: 'user', frequency: 'once_per_user' }));
      await h.batch([{ type: 'page', anonymousId: 'anon-freq', timestamp: at(0) }]);
      const ids = async (sessionId: string) =>
        (await h.decide({ anonymousId: 'anon-freq', sessionId })).map((e) => e.id).sort();
      expect(await ids('s1')).toEqual([perSession, perUser].sort());
      expect(await ids('s1')).toEqual([]);
      expect(await ids('s2')).toEqual([perSession]);
      expect(await ids('s2')).toEqual([]);
    });

    it(`${backend}: a preview link shows a draft to the browser holding its token only`, async () => {
      const draft = (await h.client.call('POST', '/api/experiences', abSplit())).json();
      const link = await h.client.call('POST', `/api/experiences/${draft.id}/preview-link`, {
        url: 'https://shop.example/home',
        variant: 'b',
      });
      expect(link.statusCode).toBe(200);
      const token = new URL(link.json().url).searchParams.get('acquaint_preview');
      expect(token).toBe(link.json().token);
      expect(await h.decide({ anonymousId: 'anon-owner', preview: token })).toMatchObject([
        { id: draft.id, variant: 'b', content: { html: 'B' } },
      ]);
      expect(await h.decide({ anonymousId: 'anon-owner' })).toEqual([]);
      expect(await h.decide({ anonymousId: 'anon-owner', preview: `${token?.slice(0, -4)}beef` })).toEqual(
        [],
      );
    });

    it(`${backend}: decide takes text/plain with the write key in the body, and answers CORS`, async () => {
      await h.client.publish(bannerBody());
      const response = await h.server.app.inject({
        method: 'POST',
        url: '/v1/decide',
        headers: { 'content-type': 'text/plain', origin: 'https://shop.example' },
        payload: JSON.stringify({ writeKey: h.server.writeKey, anonymousId: 'anon-cors', url: PAGE }),
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['access-control-allow-origin']).toBe('https://shop.example');
      expect(response.json().experiences).toHaveLength(1);
    });
  },
  { ingestionLog: true },
);

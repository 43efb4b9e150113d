import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { buildApp } from '../../src/http/build-app.js';
import { userHashFor } from '../../src/projects/keys.js';
import { at } from '../api/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import { bannerBody, experienceClient } from './experience-fixtures.js';

const PAGE = 'https://shop.example/home';

describeEachBackend(
  'decide',
  (backend) => {
    let server: TestServer;
    let client: ReturnType<typeof experienceClient>;
    const batch = async (messages: unknown[]) => {
      const response = await server.app.inject({
        method: 'POST',
        url: '/v1/batch',
        payload: { writeKey: server.writeKey, batch: messages },
      });
      expect(response.statusCode).toBe(200);
      await server.settled();
    };
    const decide = async (body: Record<string, unknown>) => {
      const response = await client.decide({ url: PAGE, ...body });
      expect(response.statusCode, response.body).toBe(200);
      return response.json().experiences as { id: string; type: string; variant: string; content: unknown }[];
    };
    const abSplit = (control_weight = 0) =>
      bannerBody({
        control_weight,
        variants: [
          { name: 'a', weight: 50, content: { html: 'A' } },
          { name: 'b', weight: 50, content: { html: 'B' } },
        ],
      });

    beforeAll(async () => {
      server = await startTestServer({ backend, listen: false });
      client = experienceClient(server);
    });
    afterAll(() => server.close());
    beforeEach(async () => {
      const list = (await client.call('GET', '/api/experiences?limit=200')).json();
      for (const e of list.experiences) await client.call('DELETE', `/api/experiences/${e.id}`);
    });

    it(`${backend}: ids never seen get what targets everyone; drafts and paused ones are not shown`, async () => {
      const id = await client.publish(bannerBody());
      await client.call('POST', '/api/experiences', bannerBody({ name: 'draft' }));
      expect(await decide({ anonymousId: 'anon-never-seen', userId: 'user-never-seen' })).toEqual([
        { id, type: 'banner', variant: 'gold', content: { html: '<p>Hello </p>' }, frequency: 'every_page' },
      ]);
      await client.call('POST', `/api/experiences/${id}/pause`);
      expect(await decide({ anonymousId: 'anon-never-seen' })).toEqual([]);
    });

    it(`${backend}: pages, schedule and priority decide what shows, highest priority first`, async () => {
      const low = await client.publish(bannerBody({ name: 'low', priority: 1 }));
      const high = await client.publish(bannerBody({ name: 'high', priority: 9 }));
      await client.publish(
        bannerBody({ name: 'pricing only', pages: { rules: [{ op: 'starts_with', value: '/pricing' }] } }),
      );
      await client.publish(bannerBody({ name: 'ended', ends_at: '2020-01-01T00:00:00Z' }));
      await client.publish(bannerBody({ name: 'future', starts_at: '2099-01-01T00:00:00Z' }));
      const shown = await decide({ anonymousId: 'anon-pages' });
      expect(shown.map((e) => e.id)).toEqual([high, low]);
    });

    it(`${backend}: a variant is sticky per person, on every device of the user`, async () => {
      const id = await client.publish(abSplit());
      const users = Array.from({ length: 12 }, (_, i) => `user-${i}`);
      await batch(
        users.flatMap((user) => [
          { type: 'identify', anonymousId: `${user}-phone`, userId: user, timestamp: at(0) },
          { type: 'identify', anonymousId: `${user}-laptop`, userId: user, timestamp: at(1) },
        ]),
      );
      const variants = new Set<string>();
      for (const user of users) {
        const [onPhone] = await decide({ anonymousId: `${user}-phone`, userId: user });
        const [onLaptop] = await decide({ anonymousId: `${user}-laptop` });
        const [again] = await decide({ anonymousId: `${user}-phone`, userId: user });
        expect(onLaptop.variant).toBe(onPhone.variant);
        expect(again.variant).toBe(onPhone.variant);
        variants.add(onPhone.variant);
      }
      expect(variants).toEqual(new Set(['a', 'b']));
      const report = await server.store.db
        .selectFrom('experience_assignments')
        .select(['variant'])
        .where('experience_id', '=', id)
        .execute();
      expect(report).toHaveLength(users.length);
    });

    it(`${backend}: on sign-in the identified person's assignment wins, else the visitor's carries over`, async () => {
      await client.publish(abSplit());
      // Find an anonymous visitor and a user who were given different variants.
      await batch([
        { type: 'identify', anonymousId: 'anon-member-laptop', userId: 'member-1', timestamp: at(0) },
      ]);
      const [member] = await decide({ anonymousId: 'anon-member-laptop', userId: 'member-1' });
      let visitor = '';
      let visitorVariant = '';
      for (let i = 0; i < 40 && !visitor; i++) {
        await batch([{ type: 'page', anonymousId: `anon-visitor-${i}`, timestamp: at(2) }]);
        const [shown] = await decide({ anonymousId: `anon-visitor-${i}` });
        if (shown.variant !== member.variant)
          [visitor, visitorVariant] = [`anon-visitor-${i}`, shown.variant];
      }
      expect(visitor).not.toBe('');
      await batch([{ type: 'identify', anonymousId: visitor, userId: 'member-1', timestamp: at(3) }]);
      expect((await decide({ anonymousId: visitor, userId: 'member-1' }))[0].variant).toBe(member.variant);

      // A new user: the visitor's variant carries over when they sign in.
      let fresh = '';
      for (let i = 0; i < 40 && !fresh; i++) {
        await batch([{ type: 'page', anonymousId: `anon-new-${i}`, timestamp: at(4) }]);
        const [shown] = await decide({ anonymousId: `anon-new-${i}` });
        if (shown.variant !== member.variant) fresh = `anon-new-${i}`;
      }
      const [before] = await decide({ anonymousId: fresh });
      await batch([{ type: 'identify', anonymousId: fresh, userId: 'member-2', timestamp: at(5) }]);
      await batch([
        { type: 'identify', anonymousId: 'member-2-phone', userId: 'member-2', timestamp: at(6) },
      ]);
      expect((await decide({ anonymousId: 'member-2-phone', userId: 'member-2' }))[0].variant).toBe(
        before.variant,
      );
      expect(visitorVariant).not.toBe(member.variant);
    });

    it(`${backend}: a merge keeps the survivor's assignment and carries the merged person's others`, async () => {
      const first = await client.publish(abSplit());
      const second = await client.publish(bannerBody({ name: 'second' }));
      await batch([
        { type: 'identify', anonymousId: 'anon-m-laptop', userId: 'merge-user', timestamp: at(0) },
      ]);
      const [userFirst] = (await decide({ anonymousId: 'anon-m-laptop', userId: 'merge-user' })).filter(
        (e) => e.id === first,
      );
      await client.call('POST', `/api/experiences/${second}/pause`);
      // The phone's anonymous person gets both experiences while the user had only `first`.
      await client.call('POST', `/api/experiences/${second}/publish`);
      await batch([{ type: 'page', anonymousId: 'anon-m-phone', timestamp: at(1) }]);
      await decide({ anonymousId: 'anon-m-phone' });
      await batch([
        { type: 'identify', anonymousId: 'anon-m-phone', userId: 'merge-user', timestamp: at(2) },
      ]);
      const rows = await server.store.db
        .selectFrom('experience_assignments as a')
        .innerJoin('persons as p', 'p.id', 'a.person_id')
        .select(['a.experience_id', 'a.variant', 'p.user_id'])
        .where('a.project_id', '=', server.projectId)
        .where('a.experience_id', 'in', [first, second])
        .execute();
      const ofUser = rows.filter((row) => row.user_id === 'merge-user');
      expect(ofUser.find((row) => row.experience_id === first)?.variant).toBe(userFirst.variant);
      expect(ofUser.map((row) => row.experience_id).sort()).toEqual([first, second].sort());
      expect(
        rows.filter((row) => row.user_id === null && [first, second].includes(row.experience_id)),
      ).toEqual([]);
    });

    it(`${backend}: the control sees nothing but is answered, and a split follows the weights`, async () => {
      const id = await client.publish(abSplit(50));
      const counts: Record<string, number> = { control: 0, a: 0, b: 0 };
      for (let i = 0; i < 400; i++) {
        const [shown] = await decide({ anonymousId: `anon-split-${i}` });
        counts[shown.variant]++;
        if (shown.variant === 'control') expect(shown).toMatchObject({ id, content: null });
      }
      expect(counts.control).toBeGreaterThan(150);
      expect(counts.control).toBeLessThan(250);
      expect(counts.a).toBeGreaterThan(60);
      expect(counts.b).toBeGreaterThan(60);
    });

    it(`${backend}: once per session and once per user are kept for known persons`, async () => {
      const perSession = await client.publish(bannerBody({ name: 'session', frequency: 'once_per_session' }));
      const perUser = await client.publish(bannerBody({ name: 'user', frequency: 'once_per_user' }));
      await batch([{ type: 'page', anonymousId: 'anon-freq', timestamp: at(0) }]);
      const ids = async (sessionId: string) =>
        (await decide({ anonymousId: 'anon-freq', sessionId })).map((e) => e.id).sort();
      expect(await ids('s1')).toEqual([perSession, perUser].sort());
      expect(await ids('s1')).toEqual([]);
      expect(await ids('s2')).toEqual([perSession]);
      expect(await ids('s2')).toEqual([]);
    });

    it(`${backend}: placeholders are filled HTML-escaped, and only for verified visitors when verification is on`, async () => {
      await client.publish(bannerBody());
      await batch([
        {
          type: 'identify',
          anonymousId: 'anon-xss',
          userId: 'xss-user',
          traits: { first_name: '<img src=x onerror=alert(1)>' },
          timestamp: at(0),
        },
        {
          type: 'identify',
          anonymousId: 'anon-ada',
          userId: 'ada',
          traits: { first_name: 'Ada' },
          timestamp: at(0),
        },
      ]);
      expect((await decide({ anonymousId: 'anon-xss', userId: 'xss-user' }))[0].content).toEqual({
        html: '<p>Hello &#60;img src=x onerror=alert(1)&#62;</p>',
      });
      expect((await decide({ anonymousId: 'anon-ada' }))[0].content).toEqual({ html: '<p>Hello Ada</p>' });

      await client.call('PATCH', '/api/project', { verify_identity: true });
      const secret = (await client.call('GET', '/api/project')).json().identity_secret as string;
      expect((await decide({ anonymousId: 'anon-ada', userId: 'ada' }))[0].content).toEqual({
        html: '<p>Hello </p>',
      });
      expect(
        (await decide({ anonymousId: 'anon-other', userId: 'ada', userHash: '0'.repeat(64) }))[0].content,
      ).toEqual({
        html: '<p>Hello </p>',
      });
      expect(
        (await decide({ anonymousId: 'anon-ada', userId: 'ada', userHash: userHashFor(secret, 'ada') }))[0]
          .content,
      ).toEqual({
        html: '<p>Hello Ada</p>',
      });
      await client.call('PATCH', '/api/project', { verify_identity: false });
    });

    it(`${backend}: decide writes nothing that changes identity`, async () => {
      await client.publish(bannerBody());
      const count = async () =>
        Number(
          (
            await server.store.db
              .selectFrom('persons')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const devices = async () =>
        Number(
          (
            await server.store.db
              .selectFrom('devices')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const before = [await count(), await devices()];
      await decide({ anonymousId: 'anon-ghost', userId: 'ghost-user' });
      await batch([{ type: 'page', anonymousId: 'anon-lone', timestamp: at(0) }]);
      await decide({ anonymousId: 'anon-lone', userId: 'lone-user' });
      expect([await count(), await devices()]).toEqual([before[0] + 1, before[1] + 1]);
      const lone = await server.store.db
        .selectFrom('devices as d')
        .innerJoin('persons as p', 'p.id', 'd.person_id')
        .select('p.user_id')
        .where('d.anonymous_id', '=', 'anon-lone')
        .executeTakeFirstOrThrow();
      expect(lone.user_id).toBeNull();
    });

    it(`${backend}: a preview link shows a draft to the browser holding its token only`, async () => {
      const draft = (await client.call('POST', '/api/experiences', abSplit())).json();
      const link = await client.call('POST', `/api/experiences/${draft.id}/preview-link`, {
        url: 'https://shop.example/home',
        variant: 'b',
      });
      expect(link.statusCode).toBe(200);
      const token = new URL(link.json().url).searchParams.get('acquaint_preview');
      expect(token).toBe(link.json().token);
      expect(await decide({ anonymousId: 'anon-owner', preview: token })).toMatchObject([
        { id: draft.id, variant: 'b', content: { html: 'B' } },
      ]);
      expect(await decide({ anonymousId: 'anon-owner' })).toEqual([]);
      expect(await decide({ anonymousId: 'anon-owner', preview: `${token?.slice(0, -4)}beef` })).toEqual([]);
    });

    it(`${backend}: decide takes text/plain with the write key in the body, and answers CORS`, async () => {
      await client.publish(bannerBody());
      const response = await server.app.inject({
        method: 'POST',
        url: '/v1/decide',
        headers: { 'content-type': 'text/plain', origin: 'https://shop.example' },
        payload: JSON.stringify({ writeKey: server.writeKey, anonymousId: 'anon-cors', url: PAGE }),
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['access-control-allow-origin']).toBe('https://shop.example');
      expect(response.json().experiences).toHaveLength(1);
    });

    it(`${backend}: a condition target shows to whom it matches, and the next decide after an upload reflects it`, async () => {
      const gold = await client.publish(
        bannerBody({
          name: 'gold only',
          target: { condition: { attr: 'membership_level', op: 'eq', value: 'gold' } },
        }),
      );
      await batch([
        {
          type: 'identify',
          anonymousId: 'anon-gold',
          userId: 'member-gold',
          traits: { membership_level: 'gold' },
          timestamp: at(0),
        },
        {
          type: 'identify',
          anonymousId: 'anon-silver',
          userId: 'member-silver',
          traits: { membership_level: 'silver' },
          timestamp: at(0),
        },
      ]);
      const shown = async (anonymousId: string) => (await decide({ anonymousId })).map((e) => e.id);
      expect(await shown('anon-gold')).toEqual([gold]);
      expect(await shown('anon-silver')).toEqual([]);
      expect(await shown('anon-stranger')).toEqual([]);
      const upload = await client.call('POST', '/v1/user/profiles', {
        field_name: ['user_id', 'membership_level'],
        values: [['member-silver', 'gold']],
      });
      expect(upload.statusCode, upload.body).toBe(200);
      expect(await shown('anon-silver')).toEqual([gold]);
    });

    it(`${backend}: a groups target shows to members of any of its groups, static or dynamic`, async () => {
      const group = async (body: Record<string, unknown>) => {
        const response = await client.call('POST', '/api/groups', body);
        expect(response.statusCode, response.body).toBe(201);
        return (response.json() as { id: string }).id;
      };
      const vips = await group({ name: 'VIPs', user_ids: ['member-vip'] });
      const diamonds = await group({
        name: 'Diamonds',
        condition: { attr: 'membership_level', op: 'eq', value: 'diamond' },
      });
      const offer = await client.publish(
        bannerBody({ name: 'for groups', target: { groups: [vips, diamonds] } }),
      );
      await batch([
        { type: 'identify', anonymousId: 'anon-vip', userId: 'member-vip', timestamp: at(0) },
        {
          type: 'identify',
          anonymousId: 'anon-diamond',
          userId: 'member-diamond',
          traits: { membership_level: 'diamond' },
          timestamp: at(0),
        },
        { type: 'identify', anonymousId: 'anon-plain', userId: 'member-plain', timestamp: at(0) },
      ]);
      const shown = async (anonymousId: string) => (await decide({ anonymousId })).map((e) => e.id);
      expect(await shown('anon-vip')).toEqual([offer]);
      expect(await shown('anon-diamond')).toEqual([offer]);
      expect(await shown('anon-plain')).toEqual([]);
      expect(await shown('anon-stranger')).toEqual([]);

      // A group an experience targets cannot be deleted from under it.
      const inUse = await client.call('DELETE', `/api/groups/${vips}`);
      expect(inUse.statusCode).toBe(409);
      expect(inUse.json()).toMatchObject({ error: { code: 'GROUP_IN_USE' } });
      expect(inUse.json().error.message).toContain('experience "for groups"');
      await client.call('DELETE', `/api/experiences/${offer}`);
      expect((await client.call('DELETE', `/api/groups/${vips}`)).statusCode).toBeLessThan(300);
    });

    it(`${backend}: visit leaves judge the visit being decided`, async () => {
      const mobile = await client.publish(
        bannerBody({
          name: 'mobile from newsletter',
          target: {
            condition: {
              all: [
                { visit: 'device_type', op: 'eq', value: 'mobile' },
                { visit: 'utm_source', op: 'eq', value: 'newsletter' },
              ],
            },
          },
        }),
      );
      const iphone = {
        userAgent:
          'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
      };
      const url = 'https://shop.example/home?utm_source=newsletter';
      expect((await decide({ anonymousId: 'anon-visit', url, context: iphone })).map((e) => e.id)).toEqual([
        mobile,
      ]);
      expect(await decide({ anonymousId: 'anon-visit', url })).toEqual([]);
      expect(await decide({ anonymousId: 'anon-visit', context: iphone })).toEqual([]);
    });

    it(`${backend}: a change through one server process shows on the next decide of another`, async () => {
      const other = await buildApp({ store: server.store });
      try {
        const elsewhere = experienceClient({ ...server, app: other });
        expect((await elsewhere.decide({ anonymousId: 'anon-two', url: PAGE })).json().experiences).toEqual(
          [],
        );
        const id = await client.publish(bannerBody());
        expect(
          (await elsewhere.decide({ anonymousId: 'anon-two', url: PAGE }))
            .json()
            .experiences.map((e: { id: string }) => e.id),
        ).toEqual([id]);
        await client.call('PATCH', `/api/experiences/${id}`, {
          variants: [{ name: 'gold', weight: 100, content: { html: 'changed' } }],
        });
        expect(
          (await elsewhere.decide({ anonymousId: 'anon-two', url: PAGE })).json().experiences[0].content,
        ).toEqual({ html: 'changed' });
        await client.call('POST', `/api/experiences/${id}/pause`);
        expect((await elsewhere.decide({ anonymousId: 'anon-two', url: PAGE })).json().experiences).toEqual(
          [],
        );
      } finally {
        await other.close();
      }
    });
  },
  { ingestionLog: true },
);

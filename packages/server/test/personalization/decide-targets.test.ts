import { expect, it } from 'vitest';
import { userHashFor } from '../../src/projects/keys.js';
import { at } from '../api/api-client.js';
import { describeEachBackend } from '../support/test-stores.js';
import { decideHarness } from './decide-harness.js';
import { bannerBody } from './experience-fixtures.js';

describeEachBackend(
  'decide: targets and content',
  (backend) => {
    const h = decideHarness(backend);

    it(`${backend}: placeholders are filled HTML-escaped, and only for verified visitors when verification is on`, async () => {
      await h.client.publish(bannerBody());
      await h.batch([
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
      expect((await h.decide({ anonymousId: 'anon-xss', userId: 'xss-user' }))[0].content).toEqual({
        html: '<p>Hello &#60;img src=x onerror=alert(1)&#62;</p>',
      });
      expect((await h.decide({ anonymousId: 'anon-ada' }))[0].content).toEqual({ html: '<p>Hello Ada</p>' });

      await h.client.call('PATCH', '/api/project', { verify_identity: true });
      const secret = (await h.client.call('GET', '/api/project')).json().identity_secret as string;
      expect((await h.decide({ anonymousId: 'anon-ada', userId: 'ada' }))[0].content).toEqual({
        html: '<p>Hello </p>',
      });
      expect(
        (await h.decide({ anonymousId: 'anon-other', userId: 'ada', userHash: '0'.repeat(64) }))[0].content,
      ).toEqual({
        html: '<p>Hello </p>',
      });
      expect(
        (await h.decide({ anonymousId: 'anon-ada', userId: 'ada', userHash: userHashFor(secret, 'ada') }))[0]
          .content,
      ).toEqual({
        html: '<p>Hello Ada</p>',
      });
      await h.client.call('PATCH', '/api/project', { verify_identity: false });
    });

    it(`${backend}: a condition target shows to whom it matches, and the next decide after an upload reflects it`, async () => {
      const gold = await h.client.publish(
        bannerBody({
          name: 'gold only',
          target: { condition: { attr: 'membership_level', op: 'eq', value: 'gold' } },
        }),
      );
      await h.batch([
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
      const shown = async (anonymousId: string) => (await h.decide({ anonymousId })).map((e) => e.id);
      expect(await shown('anon-gold')).toEqual([gold]);
      expect(await shown('anon-silver')).toEqual([]);
      expect(await shown('anon-stranger')).toEqual([]);
      const upload = await h.client.call('POST', '/v1/user/profiles', {
        field_name: ['user_id', 'membership_level'],
        values: [['member-silver', 'gold']],
      });
      expect(upload.statusCode, upload.body).toBe(200);
      expect(await shown('anon-silver')).toEqual([gold]);
    });

    it(`${backend}: a groups target shows to members of any of its groups, static or dynamic`, async () => {
      const group = async (body: Record<string, unknown>) => {
        const response = await h.client.call('POST', '/api/groups', body);
        expect(response.statusCode, response.body).toBe(201);
        return (response.json() as { id: string }).id;
      };
      const vips = await group({ name: 'VIPs', user_ids: ['member-vip'] });
      const diamonds = await group({
        name: 'Diamonds',
        condition: { attr: 'membership_level', op: 'eq', value: 'diamond' },
      });
      const offer = await h.client.publish(
        bannerBody({ name: 'for groups', target: { groups: [vips, diamonds] } }),
      );
      await h.batch([
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
      const shown = async (anonymousId: string) => (await h.decide({ anonymousId })).map((e) => e.id);
      expect(await shown('anon-vip')).toEqual([offer]);
      expect(await shown('anon-diamond')).toEqual([offer]);
      expect(await shown('anon-plain')).toEqual([]);
      expect(await shown('anon-stranger')).toEqual([]);

      // A group an experience targets cannot be deleted from under it.
      const inUse = await h.client.call('DELETE', `/api/groups/${vips}`);
      expect(inUse.statusCode).toBe(409);
      expect(inUse.json()).toMatchObject({ error: { code: 'GROUP_IN_USE' } });
      expect(inUse.json().error.message).toContain('experience "for groups"');
      await h.client.call('DELETE', `/api/experiences/${offer}`);
      expect((await h.client.call('DELETE', `/api/groups/${vips}`)).statusCode).toBeLessThan(300);
    });

    it(`${backend}: events are read for a behaviour leaf, also through a group and beside a target that needs none`, async () => {
      const gold = await h.client.publish(
        bannerBody({
          name: 'gold',
          target: { condition: { attr: 'membership_level', op: 'eq', value: 'gold' } },
        }),
      );
      const buyers = await h.client.call('POST', '/api/groups', {
        name: 'Buyers',
        condition: { event: 'purchase' },
      });
      expect(buyers.statusCode, buyers.body).toBe(201);
      const forBuyers = await h.client.publish(
        bannerBody({ name: 'for buyers', target: { groups: [buyers.json().id] } }),
      );
      const person = (name: string) => ({
        type: 'identify',
        anonymousId: `anon-${name}`,
        userId: name,
        traits: { membership_level: 'gold' },
        timestamp: at(0),
      });
      const purchase = (name: string, messageId: string) => ({
        type: 'track',
        userId: name,
        event: 'purchase',
        timestamp: at(1),
        messageId,
      });
      await h.batch([person('buyer'), person('browser'), purchase('buyer', 'p1')]);
      const shown = async (anonymousId: string) => (await h.decide({ anonymousId })).map((e) => e.id).sort();
      expect(await shown('anon-buyer')).toEqual([gold, forBuyers].sort());
      expect(await shown('anon-browser')).toEqual([gold]);
      await h.batch([purchase('browser', 'p2')]);
      expect(await shown('anon-browser')).toEqual([gold, forBuyers].sort());
    });

    it(`${backend}: visit leaves judge the visit being decided`, async () => {
      const mobile = await h.client.publish(
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
      expect((await h.decide({ anonymousId: 'anon-visit', url, context: iphone })).map((e) => e.id)).toEqual([
        mobile,
      ]);
      expect(await h.decide({ anonymousId: 'anon-visit', url })).toEqual([]);
      expect(await h.decide({ anonymousId: 'anon-visit', context: iphone })).toEqual([]);
    });
  },
  { ingestionLog: true },
);

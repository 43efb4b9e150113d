import { expect, it } from 'vitest';
import { at } from '../api/api-client.js';
import { describeEachBackend } from '../support/test-stores.js';
import { abSplit, decideHarness } from './decide-harness.js';
import { bannerBody } from './experience-fixtures.js';

describeEachBackend(
  'decide: sticky assignments',
  (backend) => {
    const h = decideHarness(backend);

    it(`${backend}: a variant is sticky per person, on every device of the user`, async () => {
      const id = await h.client.publish(abSplit());
      const users = Array.from({ length: 12 }, (_, i) => `user-${i}`);
      await h.batch(
        users.flatMap((user) => [
          { type: 'identify', anonymousId: `${user}-phone`, userId: user, timestamp: at(0) },
          { type: 'identify', anonymousId: `${user}-laptop`, userId: user, timestamp: at(1) },
        ]),
      );
      const variants = new Set<string>();
      for (const user of users) {
        const [onPhone] = await h.decide({ anonymousId: `${user}-phone`, userId: user });
        const [onLaptop] = await h.decide({ anonymousId: `${user}-laptop` });
        const [again] = await h.decide({ anonymousId: `${user}-phone`, userId: user });
        expect(onLaptop.variant).toBe(onPhone.variant);
        expect(again.variant).toBe(onPhone.variant);
        variants.add(onPhone.variant);
      }
      expect(variants).toEqual(new Set(['a', 'b']));
      const report = await h.server.store.db
        .selectFrom('experience_assignments')
        .select(['variant'])
        .where('experience_id', '=', id)
        .execute();
      expect(report).toHaveLength(users.length);
    });

    it(`${backend}: deleting an experience deletes its assignments, and only its`, async () => {
      const gone = await h.client.publish(abSplit());
      const kept = await h.client.publish(abSplit());
      const users = ['del-1', 'del-2', 'del-3'];
      await h.identifyOnPhones(users);
      for (const user of users) await h.decide({ anonymousId: `${user}-phone`, userId: user });
      const held = async (id: string) =>
        (
          await h.server.store.db
            .selectFrom('experience_assignments')
            .select('person_id')
            .where('experience_id', '=', id)
            .execute()
        ).length;
      expect([await held(gone), await held(kept)]).toEqual([3, 3]);
      expect((await h.client.call('DELETE', `/api/experiences/${gone}`)).statusCode).toBe(200);
      expect([await held(gone), await held(kept)]).toEqual([0, 3]);
    });

    it(`${backend}: decides answered together share one write, and each answer is what is stored`, async () => {
      const id = await h.client.publish(abSplit(20));
      const users = Array.from({ length: 20 }, (_, i) => `batch-user-${i}`);
      await h.identifyOnPhones(users);
      // All at once (the same person twice among them): they fall into one batch of writes.
      const asked = [...users, users[0]];
      const answers = await Promise.all(
        asked.map((user) => h.decide({ anonymousId: `${user}-phone`, userId: user })),
      );
      const stored = await h.server.store.db
        .selectFrom('experience_assignments as a')
        .innerJoin('persons as p', 'p.id', 'a.person_id')
        .select(['p.user_id', 'a.variant'])
        .where('a.experience_id', '=', id)
        .execute();
      expect(stored).toHaveLength(users.length);
      const byUser = new Map(stored.map((row) => [row.user_id, row.variant]));
      asked.forEach((user, i) => {
        expect(answers[i]).toHaveLength(1);
        expect(byUser.get(user)).toBe(answers[i][0].variant);
      });
      expect(new Set(stored.map((row) => row.variant)).size).toBeGreaterThan(1);
    });

    it(`${backend}: on sign-in the identified person's assignment wins, else the visitor's carries over`, async () => {
      await h.client.publish(abSplit());
      // Find an anonymous visitor and a user who were given different variants.
      await h.batch([
        { type: 'identify', anonymousId: 'anon-member-laptop', userId: 'member-1', timestamp: at(0) },
      ]);
      const [member] = await h.decide({ anonymousId: 'anon-member-laptop', userId: 'member-1' });
      let visitor = '';
      let visitorVariant = '';
      for (let i = 0; i < 40 && !visitor; i++) {
        await h.batch([{ type: 'page', anonymousId: `anon-visitor-${i}`, timestamp: at(2) }]);
        const [shown] = await h.decide({ anonymousId: `anon-visitor-${i}` });
        if (shown.variant !== member.variant)
          [visitor, visitorVariant] = [`anon-visitor-${i}`, shown.variant];
      }
      expect(visitor).not.toBe('');
      await h.batch([{ type: 'identify', anonymousId: visitor, userId: 'member-1', timestamp: at(3) }]);
      expect((await h.decide({ anonymousId: visitor, userId: 'member-1' }))[0].variant).toBe(member.variant);

      // A new user: the visitor's variant carries over when they sign in.
      let fresh = '';
      for (let i = 0; i < 40 && !fresh; i++) {
        await h.batch([{ type: 'page', anonymousId: `anon-new-${i}`, timestamp: at(4) }]);
        const [shown] = await h.decide({ anonymousId: `anon-new-${i}` });
        if (shown.variant !== member.variant) fresh = `anon-new-${i}`;
      }
      const [before] = await h.decide({ anonymousId: fresh });
      await h.batch([{ type: 'identify', anonymousId: fresh, userId: 'member-2', timestamp: at(5) }]);
      await h.batch([
        { type: 'identify', anonymousId: 'member-2-phone', userId: 'member-2', timestamp: at(6) },
      ]);
      expect((await h.decide({ anonymousId: 'member-2-phone', userId: 'member-2' }))[0].variant).toBe(
        before.variant,
      );
      expect(visitorVariant).not.toBe(member.variant);
    });

    it(`${backend}: a merge keeps the survivor's assignment and carries the merged person's others`, async () => {
      const first = await h.client.publish(abSplit());
      const second = await h.client.publish(bannerBody({ name: 'second' }));
      await h.batch([
        { type: 'identify', anonymousId: 'anon-m-laptop', userId: 'merge-user', timestamp: at(0) },
      ]);
      const [userFirst] = (await h.decide({ anonymousId: 'anon-m-laptop', userId: 'merge-user' })).filter(
        (e) => e.id === first,
      );
      await h.client.call('POST', `/api/experiences/${second}/pause`);
      // The phone's anonymous person gets both experiences while the user had only `first`.
      await h.client.call('POST', `/api/experiences/${second}/publish`);
      await h.batch([{ type: 'page', anonymousId: 'anon-m-phone', timestamp: at(1) }]);
      await h.decide({ anonymousId: 'anon-m-phone' });
      await h.batch([
        { type: 'identify', anonymousId: 'anon-m-phone', userId: 'merge-user', timestamp: at(2) },
      ]);
      const rows = await h.server.store.db
        .selectFrom('experience_assignments as a')
        .innerJoin('persons as p', 'p.id', 'a.person_id')
        .select(['a.experience_id', 'a.variant', 'p.user_id'])
        .where('a.project_id', '=', h.server.projectId)
        .where('a.experience_id', 'in', [first, second])
        .execute();
      const ofUser = rows.filter((row) => row.user_id === 'merge-user');
      expect(ofUser.find((row) => row.experience_id === first)?.variant).toBe(userFirst.variant);
      expect(ofUser.map((row) => row.experience_id).sort()).toEqual([first, second].sort());
      expect(
        rows.filter((row) => row.user_id === null && [first, second].includes(row.experience_id)),
      ).toEqual([]);
    });

    it(`${backend}: decide writes nothing that changes identity`, async () => {
      await h.client.publish(bannerBody());
      const count = async () =>
        Number(
          (
            await h.server.store.db
              .selectFrom('persons')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const devices = async () =>
        Number(
          (
            await h.server.store.db
              .selectFrom('devices')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const before = [await count(), await devices()];
      await h.decide({ anonymousId: 'anon-ghost', userId: 'ghost-user' });
      await h.batch([{ type: 'page', anonymousId: 'anon-lone', timestamp: at(0) }]);
      await h.decide({ anonymousId: 'anon-lone', userId: 'lone-user' });
      expect([await count(), await devices()]).toEqual([before[0] + 1, before[1] + 1]);
      const lone = await h.server.store.db
        .selectFrom('devices as d')
        .innerJoin('persons as p', 'p.id', 'd.person_id')
        .select('p.user_id')
        .where('d.anonymous_id', '=', 'anon-lone')
        .executeTakeFirstOrThrow();
      expect(lone.user_id).toBeNull();
    });
  },
  { ingestionLog: true },
);

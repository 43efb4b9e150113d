import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdentityGraph, type LoadedGraph } from '../../src/identity/identity-graph.js';
import {
  type IdentityPlan,
  idsOfMessages,
  personsToCount,
  planMessages,
} from '../../src/identity/identity-plan.js';
import type { NormalizedMessage } from '../../src/ingestion/normalize-message.js';
import type { DeviceRow, PersonRow } from '../../src/storage/identity-repository.js';
import { deviceRow, personRow } from '../support/identity-rows.js';

// The pure half of identity resolution: a batch resolved in memory against the graph a loader
// would read from a stored state, and the change set replayed on that state as the backends do.

const PROJECT = 'p';
const T0 = Date.parse('2026-06-01T00:00:00Z');

interface Stored {
  persons: Map<number, PersonRow>;
  devices: Map<string, DeviceRow>;
}

const person = (id: number, userId: string | null) => personRow(id, userId, PROJECT, T0);
const device = (anonymousId: string, personId: number) =>
  deviceRow(anonymousId, personId, PROJECT, T0, { session_id: 's', session_last_at: T0 });

let sequence = 0;
function message(
  type: NormalizedMessage['type'],
  ids: { anonymousId?: string; userId?: string; previousId?: string },
  extra: Partial<NormalizedMessage> = {},
): NormalizedMessage {
  sequence += 1;
  return {
    index: sequence,
    messageId: `m${sequence}`,
    type,
    anonymousId: ids.anonymousId ?? null,
    userId: ids.userId ?? null,
    previousId: ids.previousId ?? null,
    name: null,
    timestamp: T0 + sequence * 1000,
    receivedAt: T0 + sequence * 1000,
    properties: {},
    context: {},
    propertiesJson: '{}',
    contextJson: '{}',
    attributeOperations: [],
    source: 'sdk',
    unverified: false,
    ...extra,
  };
}

function stored(persons: PersonRow[], devices: DeviceRow[]): Stored {
  return {
    persons: new Map(persons.map((p) => [p.id, p])),
    devices: new Map(devices.map((d) => [d.anonymous_id, d])),
  };
}

const countOf = (state: Stored, personId: number) =>
  [...state.devices.values()].filter((d) => d.person_id === personId).length;

/** What `loadIdentityGraph` reads from `state`: the same sets, in memory. `countAll` counts everyone. */
function load(state: Stored, messages: NormalizedMessage[], countAll = false): LoadedGraph {
  const { anonymousIds, userIds } = idsOfMessages(messages);
  const devices = anonymousIds.flatMap((id) => {
    const d = state.devices.get(id);
    return d ? [structuredClone(d)] : [];
  });
  const byUser = [...state.persons.values()].filter((p) => p.user_id !== null && userIds.includes(p.user_id));
  const wanted = new Set([...devices.map((d) => d.person_id), ...byUser.map((p) => p.id)]);
  const holderOfAnonymousId = new Map(devices.map((d) => [d.anonymous_id, d.person_id]));
  const holderOfUserId = new Map(byUser.map((p) => [p.user_id as string, p.id]));
  const toCount = countAll
    ? [...wanted]
    : personsToCount(
        messages,
        (id) => holderOfAnonymousId.get(id),
        (id) => holderOfUserId.get(id),
      );
  const next = Math.max(0, ...state.persons.keys()) + 1;
  const unknown = anonymousIds.length - devices.length + userIds.length - byUser.length;
  return {
    projectId: PROJECT,
    persons: [...wanted].map((id) => structuredClone(state.persons.get(id) as PersonRow)),
    devices,
    deviceCounts: new Map(toCount.map((id) => [id, countOf(state, id)])),
    freePersonIds: Array.from({ length: unknown }, (_, i) => next + i),
  };
}

/** Applies a change set to `state` as the backends do: writes, then each merge, in order. */
function apply(state: Stored, plan: IdentityPlan): { mergedInto: Map<number, number> } {
  const mergedInto = new Map<number, number>();
  const write = (writes: IdentityPlan['writes']) => {
    for (const p of writes.persons) state.persons.set(p.id, { ...p });
    for (const d of writes.devices) state.devices.set(d.anonymous_id, { ...d });
  };
  for (const segment of plan.segments) {
    for (const merge of segment.merges) {
      write(merge.writes);
      const merged = state.persons.get(merge.mergedId);
      const survivor = state.persons.get(merge.survivorId);
      expect(merged, 'the merged person exists').toBeDefined();
      expect(survivor, 'the survivor exists').toBeDefined();
      expect(merged?.user_id, 'an identified person is never merged (rule 2)').toBeNull();
      for (const d of state.devices.values())
        if (d.person_id === merge.mergedId) d.person_id = merge.survivorId;
      state.persons.delete(merge.mergedId);
      mergedInto.set(merge.mergedId, merge.survivorId);
    }
  }
  write(plan.writes);
  return { mergedInto };
}

function run(state: Stored, messages: NormalizedMessage[], cap = 5, countAll = false) {
  const graph = new IdentityGraph(load(state, messages, countAll), {
    maxAnonymousIdsPerPerson: cap,
    sessionGapMs: 1_800_000,
  });
  return planMessages(graph, messages);
}

const planned = (plan: IdentityPlan) => plan.segments.flatMap((s) => s.messages);

describe('planMessages (identity resolution in memory)', () => {
  it('makes one identified person for an identify on new ids, with its device and a link', () => {
    const state = stored([], []);
    const plan = run(state, [message('identify', { anonymousId: 'a1', userId: 'u1' })]);
    expect(plan.createdPersonIds).toEqual([1]);
    expect(plan.writes.persons).toMatchObject([{ id: 1, user_id: 'u1' }]);
    expect(plan.writes.devices).toMatchObject([{ anonymous_id: 'a1', person_id: 1 }]);
    expect(plan.writes.newUserIds).toEqual(['u1']);
    expect(planned(plan)[0].link).toEqual({
      personId: 1,
      userId: 'u1',
      anonymousId: 'a1',
      mergedPersonId: null,
    });
  });

  it('merges an anonymous person created in the batch into the known user, after writing it', () => {
    const state = stored([person(7, 'u1')], [device('d7', 7)]);
    const plan = run(state, [
      message('track', { anonymousId: 'a1' }),
      message('identify', { anonymousId: 'a1', userId: 'u1' }),
      message('track', { anonymousId: 'a1' }),
    ]);
    expect(plan.segments).toHaveLength(2);
    const [merge] = plan.segments[1].merges;
    expect(merge).toMatchObject({ survivorId: 7, mergedId: 8 });
    expect(merge.writes.persons.map((p) => p.id)).toEqual([8]);
    expect(merge.writes.devices).toMatchObject([{ anonymous_id: 'a1', person_id: 8 }]);
    expect(planned(plan).map((m) => m.personId)).toEqual([8, 7, 7]);
    expect(planned(plan)[1].link).toEqual({
      personId: 7,
      userId: 'u1',
      anonymousId: 'a1',
      mergedPersonId: 8,
    });
    // The merge moves the device in SQL; the batch has nothing more to write for it.
    expect(plan.writes.devices).toEqual([]);
    expect(plan.writes.persons.map((p) => p.id)).toEqual([7]);
  });

  it('never merges two identified persons: a shared device keeps its owner, with a warning', () => {
    const state = stored([person(1, 'u1')], [device('a1', 1)]);
    const plan = run(state, [message('identify', { anonymousId: 'a1', userId: 'u2' })]);
    expect(plan.segments.flatMap((s) => s.merges)).toEqual([]);
    const [m] = planned(plan);
    expect(m.personId).toBe(2);
    expect(m.warnings.map((w) => w.code)).toEqual(['IDENTIFIED_ON_ANOTHER_USER']);
    expect(plan.writes.persons).toMatchObject([{ id: 2, user_id: 'u2' }]);
  });

  it('does not link a device past the cap, counting the devices the batch adds', () => {
    const state = stored([person(1, 'u1')], [device('a1', 1)]);
    const plan = run(
      state,
      [
        message('identify', { anonymousId: 'a2', userId: 'u1' }),
        message('identify', { anonymousId: 'a3', userId: 'u1' }),
      ],
      2,
    );
    const [first, second] = planned(plan);
    expect(first.warnings).toEqual([]);
    expect(second.warnings.map((w) => w.code)).toEqual(['DEVICE_CAP_REACHED']);
    expect(second.personId).toBe(1);
    const owners = Object.fromEntries(plan.writes.devices.map((d) => [d.anonymous_id, d.person_id]));
    expect(owners.a2).toBe(1);
    expect(owners.a3).not.toBe(1);
  });

  it("keeps an unverified message's traits from the identified owner of its device (rule 10)", () => {
    const state = stored([person(1, 'u1')], [device('a1', 1)]);
    const operations = [
      { kind: 'set', name: 'plan', value: 'pro' },
    ] as unknown as NormalizedMessage['attributeOperations'];
    const plan = run(state, [
      message('identify', { anonymousId: 'a1' }, { unverified: true, attributeOperations: operations }),
    ]);
    const [m] = planned(plan);
    expect(m.appliesAttributes).toBe(false);
    expect(m.warnings.map((w) => w.code)).toEqual(['UNVERIFIED_TRAITS_IGNORED']);
  });

  it('counts only the holders of ids a message may link, and nobody for traffic of known pairs', () => {
    const holders = new Map([
      ['a1', 1],
      ['a2', 2],
    ]);
    const users = new Map([['u1', 1]]);
    const count = (messages: NormalizedMessage[]) =>
      personsToCount(
        messages,
        (id) => holders.get(id),
        (id) => users.get(id),
      ).sort();
    expect(count([message('track', { anonymousId: 'a1', userId: 'u1' })])).toEqual([]);
    expect(count([message('identify', { anonymousId: 'a2', userId: 'u1' })])).toEqual([1, 2]);
    expect(count([message('alias', { anonymousId: 'zz', previousId: 'a2', userId: 'u9' })])).toEqual([2]);
  });
});

const ANONYMOUS = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6'];
const USERS = ['u0', 'u1', 'u2', 'u3', 'u4'];

const arbitraryState = fc
  .record({
    users: fc.array(fc.option(fc.constantFrom(...USERS), { nil: null }), { minLength: 0, maxLength: 4 }),
    owners: fc.array(fc.nat(3), { minLength: 7, maxLength: 7 }),
    held: fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
  })
  .map(({ users, owners, held }) => {
    const seen = new Set<string>();
    const persons = users.map((u, i) => {
      const userId = u !== null && !seen.has(u) ? u : null;
      if (userId !== null) seen.add(userId);
      return person(i + 1, userId);
    });
    const devices = persons.length
      ? ANONYMOUS.flatMap((a, i) => (held[i] ? [device(a, (owners[i] % persons.length) + 1)] : []))
      : [];
    return { persons, devices };
  });

const arbitraryMessage = fc.oneof(
  fc.record({ type: fc.constant('track' as const), anonymousId: fc.constantFrom(...ANONYMOUS) }),
  fc.record({ type: fc.constant('track' as const), userId: fc.constantFrom(...USERS) }),
  fc.record({
    type: fc.constant('identify' as const),
    anonymousId: fc.constantFrom(...ANONYMOUS),
    userId: fc.constantFrom(...USERS),
  }),
  fc.record({
    type: fc.constant('alias' as const),
    anonymousId: fc.constantFrom(...ANONYMOUS),
    previousId: fc.constantFrom(...ANONYMOUS, ...USERS),
    userId: fc.constantFrom(...USERS),
  }),
);

describe('planMessages, properties', () => {
  it('keeps the identity invariants on any stored graph and batch, and needs no count it did not load', () => {
    fc.assert(
      fc.property(
        arbitraryState,
        fc.array(arbitraryMessage, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 4 }),
        ({ persons, devices }, specs, cap) => {
          const capped = devices.filter(
            (d, i) => devices.slice(0, i + 1).filter((e) => e.person_id === d.person_id).length <= cap,
          );
          const state = stored(persons, capped);
          const messages = specs.map(({ type, ...ids }) => message(type, ids));
          const reference = run(
            stored(structuredClone(persons), structuredClone(capped)),
            messages,
            cap,
            true,
          );
          const plan = run(state, messages, cap);
          // Loading every count decides the same: the loader's counts are enough.
          const outcome = (p: IdentityPlan) =>
            planned(p).map((m) => ({ person: m.personId, link: m.link, warnings: m.warnings }));
          expect(outcome(plan)).toEqual(outcome(reference));

          const { mergedInto } = apply(state, plan);
          const finalOf = (id: number): number =>
            mergedInto.has(id) ? finalOf(mergedInto.get(id) as number) : id;
          const userIds = [...state.persons.values()].flatMap((p) => (p.user_id === null ? [] : [p.user_id]));
          expect(new Set(userIds).size, 'a user id is held by one person').toBe(userIds.length);
          for (const d of state.devices.values())
            expect(state.persons.has(d.person_id), 'every device has a person').toBe(true);
          for (const p of state.persons.values()) {
            const before = capped.filter((d) => d.person_id === p.id).length;
            if (countOf(state, p.id) > before)
              expect(countOf(state, p.id), 'no person grows over the cap (rule 6)').toBeLessThanOrEqual(cap);
          }
          for (const m of planned(plan)) {
            const holder = state.persons.get(finalOf(m.personId));
            expect(holder, "every message's person exists").toBeDefined();
            // Rule 5: a message with a user id belongs to that user's person.
            if (m.message.userId !== null) expect(holder?.user_id).toBe(m.message.userId);
            else if (m.message.anonymousId !== null)
              expect(state.devices.get(m.message.anonymousId)?.person_id).toBe(holder?.id);
          }
          expect(new Set(plan.createdPersonIds).size).toBe(plan.createdPersonIds.length);
        },
      ),
      { numRuns: 400 },
    );
  });
});

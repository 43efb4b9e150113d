import { createHmac } from 'node:crypto';
import { Ajv } from 'ajv';
import { afterEach, expect, it } from 'vitest';
import type { AcquaintConfig } from '../../src/config.js';
import { loadUserProfile } from '../../src/profiles/user-profile.js';
import { findPersonEvents } from '../../src/storage/event-repository.js';
import { findDevicesOfPerson } from '../../src/storage/identity-repository.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import scenarios from './identity-scenarios.json' with { type: 'json' };
import { scenarioFileSchema } from './scenario-file-schema.js';

type Message = Record<string, unknown>;
interface ExpectedPerson {
  user_id: string | null;
  anonymous_ids: string[];
  attributes?: Record<string, unknown>;
  events?: number;
  first_seen?: string;
  bound?: boolean;
}
type Scenario = [
  string,
  (Message | Message[])[],
  ExpectedPerson[],
  { maxAnonymousIdsPerPerson?: number; verifyIdentity?: boolean }?,
];

const BASE_TIME = Date.parse('2026-01-01T00:00:00.000Z');

/** Fills the scenario file's placeholders: default times, `$long`, `$hash`, `$now`; strips `$expect`. */
function prepare(
  message: Message,
  sequence: number,
  identitySecret: string,
): { body: Message; expect: string[] } {
  const { $expect, $now, ...body } = message;
  if (body.userId === '$long') body.userId = 'x'.repeat(256);
  if (body.userHash === '$hash')
    body.userHash = createHmac('sha256', identitySecret).update(String(body.userId)).digest('hex');
  if (body.timestamp === undefined && !$now)
    body.timestamp = new Date(BASE_TIME + sequence * 60_000).toISOString();
  // Identity warnings found when the message is applied are looked up by its messageId.
  body.messageId ??= `scenario-message-${sequence}`;
  return { body, expect: [$expect ?? []].flat().map(String).sort() };
}

it('the scenario file has the shape the runner reads, with no unknown or misspelt key', () => {
  const validate = new Ajv({ allErrors: true, strict: true, strictTuples: false }).compile(
    scenarioFileSchema,
  );
  const valid = validate(scenarios);
  expect(validate.errors ?? [], 'identity-scenarios.json').toEqual([]);
  expect(valid).toBe(true);
  const names = (scenarios as Scenario[]).map(([name]) => name);
  expect(new Set(names).size, 'scenario names are unique').toBe(names.length);
});

describeEachBackend(
  'identity scenarios',
  (backend) => {
    let server: TestServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    for (const [name, steps, expected, options] of scenarios as Scenario[]) {
      it(`${backend}: ${name}`, async () => {
        const config: Partial<AcquaintConfig> = {};
        if (options?.maxAnonymousIdsPerPerson)
          config.maxAnonymousIdsPerPerson = options.maxAnonymousIdsPerPerson;
        server = await startTestServer({ backend, listen: false, config });
        const { app, writeKey, apiKey, identitySecret } = server;
        if (options?.verifyIdentity) {
          const patched = await app.inject({
            method: 'PATCH',
            url: '/api/project',
            headers: { authorization: `Bearer ${apiKey}` },
            payload: { verify_identity: true },
          });
          expect(patched.statusCode).toBe(200);
        }

        const direct = app.ingestion.status().mode === 'direct';
        let lastWarningId = 0;
        let sequence = 0;
        for (const step of steps) {
          const prepared = (Array.isArray(step) ? step : [step]).map((m) =>
            prepare(m, sequence++, identitySecret),
          );
          const response = await app.inject({
            method: 'POST',
            url: '/v1/batch',
            payload: { writeKey, batch: prepared.map((p) => p.body) },
          });
          expect(response.statusCode, response.body).toBe(200);
          const answer = response.json() as {
            rejected?: { index: number; code: string }[];
            warnings?: { index: number; code: string }[];
          };
          // Through the ingestion log, what only applying finds is listed by the warnings API: the
          // entries this step added (applied directly, the answer already holds them).
          const listed = (
            await app.inject({
              method: 'GET',
              url: '/api/ingestion/warnings?limit=1000',
              headers: { authorization: `Bearer ${apiKey}` },
            })
          ).json() as { warnings: { id: number; message_id: string; code: string }[] };
          const applied = listed.warnings.filter((w) => w.id > lastWarningId);
          lastWarningId = Math.max(lastWarningId, ...listed.warnings.map((w) => w.id));
          prepared.forEach((p, index) => {
            const codes = [
              ...[...(answer.rejected ?? []), ...(answer.warnings ?? [])].filter((i) => i.index === index),
              ...(direct ? [] : applied.filter((w) => w.message_id === p.body.messageId)),
            ].map((i) => i.code);
            // Exactly the codes the step expects: an unexpected warning or rejection fails, and so
            // does an extra code beside the expected one.
            expect(codes.sort(), `codes of message ${JSON.stringify(p.body)}`).toEqual(p.expect);
          });
        }

        const persons = await server.store.db
          .selectFrom('persons')
          .selectAll()
          .where('project_id', '=', server.projectId)
          .execute();
        const actual = await Promise.all(
          persons.map(async (person) => {
            const devices = await findDevicesOfPerson(server!.store.db, person.id);
            const anonymousIds = devices.map((d) => d.anonymous_id).sort();
            const profile = await loadUserProfile(server!.store.db, person);
            const timeline = await findPersonEvents(
              server!.store.db,
              server!.projectId,
              { userId: person.user_id, anonymousIds },
              { limit: 1, offset: 0 },
            );
            return {
              user_id: person.user_id,
              anonymous_ids: anonymousIds,
              attributes: Object.fromEntries(
                Object.entries(profile.attributes).filter(([k]) => !k.startsWith('$')),
              ),
              events: timeline.total,
              first_seen: profile.first_seen,
              bound: profile.bound,
            };
          }),
        );
        const order = (p: { user_id: string | null; anonymous_ids: string[] }) =>
          `${p.user_id ?? ''}|${p.anonymous_ids.join(',')}`;
        actual.sort((a, b) => order(a).localeCompare(order(b)));
        const wanted = [...expected].sort((a, b) => order(a).localeCompare(order(b)));
        expect(actual.map((p) => ({ user_id: p.user_id, anonymous_ids: p.anonymous_ids }))).toEqual(
          wanted.map((p) => ({ user_id: p.user_id, anonymous_ids: [...p.anonymous_ids].sort() })),
        );
        wanted.forEach((w, i) => {
          const a = actual[i];
          if (w.attributes) expect(a.attributes, `attributes of ${w.user_id}`).toEqual(w.attributes);
          if (w.events !== undefined) expect(a.events, `events of ${w.user_id}`).toBe(w.events);
          if (w.first_seen) expect(a.first_seen).toBe(w.first_seen);
          if (w.bound !== undefined) expect(a.bound).toBe(w.bound);
        });
      });
    }
  },
  { ingestionLog: true, jetstream: true },
);

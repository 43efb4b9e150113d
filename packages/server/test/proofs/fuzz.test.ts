import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors/error-codes.js';
import { WARNING_CODES } from '../../src/ingestion/message-issues.js';
import { identityViolations } from '../support/identity-invariants.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { type Backend, describeEachBackend } from '../support/test-stores.js';
import {
  batchBody,
  conditionTree,
  csvFile,
  idLike,
  rawBody,
  trackingMessage,
  uploadBody,
} from './fuzz-arbitraries.js';

/** Fixed seed and run count: the same cases every time, in a bounded time. */
const SEED = 20261130;
const RUNS = 40;
/** A small device cap, so that generated traffic reaches it. */
const DEVICE_CAP = 3;
const KNOWN_CODES = new Set([...Object.keys(ERROR_CODES), ...Object.keys(WARNING_CODES)]);

/**
 * One kind of request to fuzz: how a generated value becomes a request. To fuzz a new route
 * (`POST /api/groups/preview`, `POST /v1/decide`), add an entry with its arbitrary.
 */
interface FuzzTarget<T> {
  name: string;
  input: fc.Arbitrary<T>;
  request: (value: T, keys: { writeKey: string; apiKey: string }) => InjectOptions;
}

const target = <T>(t: FuzzTarget<T>) => t as FuzzTarget<unknown>;
const basic = (writeKey: string) => `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;

const TARGETS: FuzzTarget<unknown>[] = [
  target({
    name: 'POST /v1/batch',
    input: batchBody,
    request: (body, { writeKey }) => ({
      method: 'POST',
      url: '/v1/batch',
      headers: { authorization: basic(writeKey) },
      payload: body as object,
    }),
  }),
  target({
    name: 'POST /v1/<type> with one message',
    input: fc.tuple(
      fc.constantFrom('identify', 'track', 'page', 'screen', 'group', 'alias'),
      trackingMessage,
    ),
    request: ([type, message], { writeKey }) => ({
      method: 'POST',
      url: `/v1/${type}`,
      payload: { ...message, writeKey },
    }),
  }),
  target({
    name: 'tracking bodies that are not JSON (any label, gzip or not)',
    input: rawBody,
    request: ({ payload, contentType, gzipLabel }, { writeKey }) => ({
      method: 'POST',
      url: '/v1/batch',
      headers: {
        authorization: basic(writeKey),
        'content-type': contentType,
        ...(gzipLabel ? { 'content-encoding': 'gzip' } : {}),
      },
      payload: gzipLabel && payload.length % 2 === 0 ? gzipSync(payload) : payload,
    }),
  }),
  target({
    name: 'POST /v1/user/profiles',
    input: uploadBody,
    request: (body, { apiKey }) => ({
      method: 'POST',
      url: '/v1/user/profiles',
      headers: { authorization: `Bearer ${apiKey}` },
      payload: body as object,
    }),
  }),
  target({
    name: 'POST /v1/decide',
    input: fc.record(
      {
        anonymousId: idLike,
        userId: idLike,
        url: fc.oneof(fc.webUrl({ withQueryParameters: true }), idLike),
        referrer: fc.oneof(fc.webUrl(), idLike),
        sessionId: idLike,
        userHash: idLike,
        preview: idLike,
      },
      { requiredKeys: [] },
    ),
    request: (body, { writeKey }) => ({
      method: 'POST',
      url: '/v1/decide',
      headers: { authorization: basic(writeKey) },
      payload: body as object,
    }),
  }),
  target({
    name: 'POST /api/groups/preview with a random condition tree',
    input: fc.oneof(
      { weight: 9, arbitrary: fc.record({ condition: conditionTree }) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    ),
    request: (body, { apiKey }) => ({
      method: 'POST',
      url: '/api/groups/preview',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    }),
  }),
  target({
    name: 'POST /api/imports with a CSV file',
    input: csvFile,
    request: (file, { apiKey }) => ({
      method: 'POST',
      url: '/api/imports',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'text/csv' },
      payload: file,
    }),
  }),
];

/** Every refusal, of the whole request or of a part, names its problem with a known code. */
function expectProblemsNamed(response: LightMyRequestResponse): void {
  expect(response.statusCode, response.body).toBeLessThan(500);
  const body = response.json() as Record<string, unknown>;
  if (response.statusCode >= 400) {
    const error = body.error as { code: string; message: string };
    expect(KNOWN_CODES.has(error.code), error.code).toBe(true);
    expect(error.message.length).toBeGreaterThan(5);
  }
  for (const list of ['rejected', 'warnings', 'errors']) {
    for (const issue of (body[list] ?? []) as { code: string; message: string }[]) {
      expect(KNOWN_CODES.has(issue.code), issue.code).toBe(true);
      expect(issue.message.length).toBeGreaterThan(5);
    }
  }
}

describeEachBackend(
  'fuzzing through the API',
  (backend: Backend) => {
    let server: TestServer;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    beforeAll(async () => {
      process.on('unhandledRejection', onUnhandled);
      server = await startTestServer({
        backend,
        listen: false,
        config: {
          maxAnonymousIdsPerPerson: DEVICE_CAP,
          rateLimitPerSecond: 1e6,
          rateLimitBurst: 1e6,
          apiKeyRateLimitPerSecond: 1e6,
        },
      });
    });
    afterAll(async () => {
      process.off('unhandledRejection', onUnhandled);
      await server.close();
    });

    for (const fuzzed of TARGETS) {
      it(`${backend}: ${fuzzed.name} — never a 500, every refusal named, identities intact`, async () => {
        await fc.assert(
          fc.asyncProperty(fuzzed.input, async (value) => {
            const response = await server.app.inject(fuzzed.request(value, server));
            expectProblemsNamed(response);
          }),
          { seed: SEED, numRuns: RUNS, endOnFailure: true },
        );
        await server.settled();
        expect(await identityViolations(server.store.db, DEVICE_CAP)).toEqual([]);
        expect(unhandled).toEqual([]);
      }, 120_000);
    }
  },
  { ingestionLog: true },
);

import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { TestServer } from '../support/test-server.js';
import { OpenApiAnswers } from './openapi-answers.js';

/** A tracking API answer (DESIGN §4). */
export interface TrackingAnswer {
  success: boolean;
  rejected?: { index: number; messageId: string | null; code: string; message: string }[];
  warnings?: { index: number; messageId: string | null; code: string; message: string }[];
}

/** Readable calls to a test server through `inject()`: tracking with the write key, the API with the API key. */
export function apiClient(server: Pick<TestServer, 'app' | 'writeKey' | 'apiKey'>) {
  const { app, writeKey, apiKey } = server;
  return {
    /** POST /v1/batch with the write key in the body. */
    batch: (batch: unknown[], extra: Record<string, unknown> = {}) =>
      documented(app, 'POST', '/v1/batch', { payload: { writeKey, batch, ...extra } }),
    /** POST /v1/<type> with Basic auth. */
    send: (type: string, message: Record<string, unknown>) =>
      documented(app, 'POST', `/v1/${type}`, {
        headers: { authorization: basicAuth(writeKey) },
        payload: message,
      }),
    get: (url: string, key = apiKey) => apiCall(app, 'GET', url, key),
    delete: (url: string, key = apiKey) => apiCall(app, 'DELETE', url, key),
    post: (url: string, payload: unknown, key = apiKey) => apiCall(app, 'POST', url, key, payload),
    put: (url: string, payload: unknown, key = apiKey) => apiCall(app, 'PUT', url, key, payload),
  };
}

export function basicAuth(writeKey: string): string {
  return `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
}

function apiCall(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  key: string,
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  return documented(app, method, url, {
    headers: { authorization: `Bearer ${key}` },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

const documents = new WeakMap<FastifyInstance, Promise<OpenApiAnswers>>();

/**
 * One request through `inject()`, its answer checked against the app's /openapi.json: every suite
 * that uses this client fails on an answer the document does not describe.
 */
async function documented(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  request: { headers?: Record<string, string>; payload?: object },
): Promise<LightMyRequestResponse> {
  const response = await app.inject({ method, url, ...request });
  let answers = documents.get(app);
  if (!answers) {
    answers = OpenApiAnswers.of(app);
    documents.set(app, answers);
  }
  const mismatches = (await answers).check(method, url, response, { unknownRoutes: 'pass' });
  if (mismatches.length > 0)
    throw new Error(`the answer disagrees with /openapi.json:\n${mismatches.join('\n')}`);
  return response;
}

/** An ISO time `minutes` after a fixed morning, so tests read the same every run. */
export const at = (minutes: number) =>
  new Date(Date.parse('2026-03-02T09:00:00.000Z') + minutes * 60_000).toISOString();

export const IPHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
export const WINDOWS_CHROME_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

/**
 * An answer's warnings as [messageId, code], with those found only when its messages (`messageIds`)
 * were applied: through the ingestion log these are listed by `GET /api/ingestion/warnings`.
 */
export async function warningsOf(
  server: Pick<TestServer, 'app' | 'apiKey'>,
  answer: TrackingAnswer,
  messageIds: string[],
): Promise<[string | null, string][]> {
  const answered = (answer.warnings ?? []).map((w): [string | null, string] => [w.messageId, w.code]);
  if (server.app.ingestion.status().mode === 'direct') return answered;
  const listed = (
    await apiCall(server.app, 'GET', '/api/ingestion/warnings?limit=1000', server.apiKey)
  ).json() as { warnings: { message_id: string; code: string }[] };
  const applied = listed.warnings.reverse().filter((w) => messageIds.includes(w.message_id));
  return [...answered, ...applied.map((w): [string, string] => [w.message_id, w.code])];
}

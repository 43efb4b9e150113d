import { afterAll, beforeAll, expect } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import type { Backend } from '../support/test-stores.js';
import { apiClient, type TrackingAnswer } from './api-client.js';

/**
 * The server of a bad-input suite: started before its tests (no rate limit, not listening) and
 * closed after them. Call it in the suite's body; the returned function gives the running server.
 */
export function useBadInputServer(backend: Backend): () => TestServer {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend, listen: false, config: { rateLimitBurst: 1e9 } });
  });
  afterAll(() => server.close());
  return () => server;
}

/** The events stored for the server's project, once every accepted message is applied. */
export async function countEvents(server: TestServer): Promise<number> {
  await server.settled();
  const row = await server.store.db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('project_id', '=', server.projectId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** POSTs `payload` as is, labelled `contentType` (JSON by default). */
export function postRaw(server: TestServer, url: string, payload: string, contentType = 'application/json') {
  return server.app.inject({ method: 'POST', url, headers: { 'content-type': contentType }, payload });
}

/** Sends one message in a batch, which must be answered 200; returns the answer. */
export async function batchOne(
  server: TestServer,
  message: Record<string, unknown>,
): Promise<TrackingAnswer> {
  const response = await apiClient(server).batch([message]);
  expect(response.statusCode).toBe(200);
  return response.json() as TrackingAnswer;
}

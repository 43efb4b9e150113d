import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBodyTimeouts } from '../../src/http/body-timeouts.js';

const STALL_MS = 300;

/**
 * An upload route that reads the first chunk, then does not read for `pauseMs` (as an import does
 * while a slow database writes what came), then reads the rest and answers how many bytes came.
 */
async function uploadApp(pauseMs: number): Promise<FastifyInstance> {
  const app = Fastify();
  registerBodyTimeouts(app, { bodyTimeoutMs: STALL_MS, uploadStallMs: STALL_MS });
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));
  app.post('/upload', { config: { streamedBody: true } }, async (request) => {
    let bytes = 0;
    let paused = false;
    for await (const chunk of request.raw) {
      bytes += (chunk as Buffer).length;
      if (!paused) {
        paused = true;
        await sleep(pauseMs);
      }
    }
    return { bytes };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app;
}

/** Posts `size` bytes as fast as the connection takes them; answers the status and body. */
function post(app: FastifyInstance, size: number): Promise<{ status: number; body: string }> {
  const { port } = app.server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/upload',
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(Buffer.alloc(size, 120));
  });
}

describe('a streamed upload is not ended while the server is the slow side', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await uploadApp(STALL_MS * 5);
  });
  afterAll(() => app.close());

  it('an upload whose server stops reading for five stall periods is answered, whole', async () => {
    const size = 8 * 1024 * 1024;
    const answer = await post(app, size);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ bytes: size });
  });
});

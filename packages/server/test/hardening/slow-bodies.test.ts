import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Sends a request's head, then one byte of its body every `everyMs` (never the whole body), and
 * resolves with what the server answered and when it closed the connection (or after `giveUpMs`).
 */
function trickle(
  url: string,
  head: string,
  everyMs: number,
  giveUpMs = 8_000,
): Promise<{ answer: string; closedAfterMs: number | null }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(Number(port), hostname);
    let answer = '';
    const drip = setInterval(() => socket.write('x'), everyMs);
    const finish = (closed: boolean) => {
      clearInterval(drip);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ answer, closedAfterMs: closed ? Date.now() - started : null });
    };
    const giveUp = setTimeout(() => finish(false), giveUpMs);
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    socket.on('close', () => finish(true));
    socket.on('error', () => {});
    socket.write(head);
  });
}

describe('slow request bodies are timed out (issue 11, defect 3)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ listen: true, config: { bodyTimeoutMs: 1_000, uploadStallMs: 1_000 } });
  });
  afterAll(() => server.close());

  const headOf = (method: string, path: string, headers: Record<string, string>) =>
    `${method} ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('')}\r\n`;

  it('a tracking body sent a byte at a time is answered 408 and its connection closed', async () => {
    const auth = `Basic ${Buffer.from(`${server.writeKey}:`).toString('base64')}`;
    const head = headOf('POST', '/v1/batch', {
      authorization: auth,
      'content-type': 'application/json',
      'content-length': '5000',
    });
    const { answer, closedAfterMs } = await trickle(server.url, head, 200);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('"code":"REQUEST_TIMEOUT"');
    expect(closedAfterMs).not.toBeNull();
    expect(closedAfterMs).toBeLessThan(4_000);
  });

  it('a streamed CSV upload that stalls is ended and its job left resumable', async () => {
    const head = headOf('POST', '/api/imports', {
      authorization: `Bearer ${server.apiKey}`,
      'content-type': 'text/csv',
      'transfer-encoding': 'chunked',
    });
    // One chunk of a header and a row, then single bytes of a chunk that never ends.
    const rows = 'user_id,plan\nuser-42,pro\n';
    const { answer, closedAfterMs } = await trickle(
      server.url,
      `${head}${rows.length.toString(16)}\r\n${rows}\r\n10000\r\n`,
      200,
    );
    expect(closedAfterMs).not.toBeNull();
    expect(closedAfterMs).toBeLessThan(5_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    await vi.waitFor(async () => {
      const jobs = await server.app.inject({
        url: '/api/imports',
        headers: { authorization: `Bearer ${server.apiKey}` },
      });
      expect(jobs.json().imports[0].status).toBe('interrupted');
    }, 5_000);
  });

  it('a request refused for its key does not wait for the rest of its body', async () => {
    const head = headOf('POST', '/api/imports', {
      'content-type': 'text/csv',
      'content-length': '100000',
    });
    const { answer, closedAfterMs } = await trickle(server.url, head, 200);
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(closedAfterMs).not.toBeNull();
    expect(closedAfterMs).toBeLessThan(1_000);
  });
});

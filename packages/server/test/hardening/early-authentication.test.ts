import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * `{"field_name":["user_id"],"values":[[1],[1],...]}`: about 60 MB of JSON in 60 KB of gzip, made
 * of gzip members (one inflating stream reads them in turn), so it is quick to build.
 */
function profileBomb(): Buffer {
  const block = gzipSync('[1],'.repeat(256 * 1024), { level: 9 });
  return Buffer.concat([
    gzipSync('{"field_name":["user_id"],"values":['),
    ...Array<Buffer>(60).fill(block),
    gzipSync('[1]]}'),
  ]);
}

/** Posts a body and resolves with the status once answered (or with the error that ended it). */
function post(url: string, body: Buffer, headers: Record<string, string>): Promise<number | string> {
  return new Promise((resolve) => {
    const request = httpRequest(url, { method: 'POST', headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', (error) => resolve(error.message));
    request.end(body);
  });
}

describe('keys are checked before bodies are read (issue 11, defect 1)', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('a keyless gzip bomb to /v1/user/profiles is refused at once and /health keeps answering', async () => {
    server = await startTestServer({ listen: true });
    const bomb = profileBomb();
    expect(bomb.length).toBeLessThan(70_000);
    const health: number[] = [];
    const sent = Date.now();
    const refused = post(`${server.url}/v1/user/profiles`, bomb, {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    for (let i = 0; i < 10; i++) {
      const started = Date.now();
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      health.push(Date.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await refused).toBe(401);
    expect(Date.now() - sent).toBeLessThan(3_000);
    expect(Math.max(...health)).toBeLessThan(1_000);
  }, 20_000);

  it('a wrong key is refused before a body that does not even inflate is looked at', async () => {
    server = await startTestServer({ listen: false });
    const notGzip = Buffer.from('this is not gzip');
    const answer = async (url: string, authorization: string) => {
      const response = await server?.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization },
        payload: notGzip,
      });
      return [response?.statusCode, response?.json().error.code];
    };
    expect(await answer('/v1/user/profiles', 'Bearer not-a-key')).toEqual([401, 'INVALID_API_KEY']);
    expect(await answer('/api/imports', 'Bearer not-a-key')).toEqual([401, 'INVALID_API_KEY']);
    const unknownWriteKey = `Basic ${Buffer.from('no-such-write-key:').toString('base64')}`;
    expect(await answer('/v1/batch', unknownWriteKey)).toEqual([401, 'UNKNOWN_WRITE_KEY']);
    // With the right key the same body is read, and refused for what it is.
    const writeKey = `Basic ${Buffer.from(`${server.writeKey}:`).toString('base64')}`;
    expect(await answer('/v1/batch', writeKey)).toEqual([400, 'INVALID_JSON']);
  });

  it('an address that keeps sending wrong keys is slowed down (429), other addresses are not', async () => {
    server = await startTestServer({ listen: false, config: { failedKeyRateLimitPerSecond: 2 } });
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const response = await server.app.inject({
        method: 'POST',
        url: '/v1/track',
        payload: { writeKey: `guess-${i}`, event: 'x', anonymousId: 'anon-phone' },
      });
      statuses.push(response.statusCode);
    }
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
    expect(statuses.slice(20)).toEqual(Array(5).fill(429));
    const refused = await server.app.inject({
      method: 'GET',
      url: '/api/users',
      headers: { authorization: 'Bearer guess' },
    });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    const elsewhere = await server.app.inject({
      method: 'GET',
      url: '/api/users',
      remoteAddress: '10.0.0.7',
      headers: { authorization: `Bearer ${server.apiKey}` },
    });
    expect(elsewhere.statusCode).toBe(200);
  });
});

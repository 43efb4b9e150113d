import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got: the raw body, its parsed payload and the signature header. */
export interface Received {
  body: string;
  payload: {
    id: string;
    type: string;
    occurred_at: string;
    project_id: string;
    data: Record<string, unknown>;
  };
  signature: string;
  at: number;
}

/** Decides the answer to one request; the default answers 200. */
export type Responder = (received: Received, response: ServerResponse) => void;

/**
 * A real webhook receiver on loopback (node:http): records every request, and answers as the
 * test's responder says (200 by default).
 */
export async function startReceiver(responder?: Responder) {
  const received: Received[] = [];
  let respond: Responder = responder ?? ((_r, res) => res.end('ok'));
  const waiters: (() => void)[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const parts: Buffer[] = [];
    request.on('data', (chunk: Buffer) => parts.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(parts).toString('utf8');
      const entry: Received = {
        body,
        payload: JSON.parse(body),
        signature: String(request.headers['acquaint-signature'] ?? ''),
        at: Date.now(),
      };
      received.push(entry);
      for (const wake of waiters.splice(0)) wake();
      respond(entry, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    received,
    /** Requests of these types, in arrival order. */
    ofType: (type: string) => received.filter((r) => r.payload.type === type),
    respondWith(next: Responder) {
      respond = next;
    },
    /** Waits until `predicate` holds of what was received (at most `timeoutMs`). */
    async waitFor(predicate: (all: Received[]) => boolean, timeoutMs = 15_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > deadline)
          throw new Error(
            `receiver: condition not met; got ${received.map((r) => r.payload.type).join(', ')}`,
          );
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Verifies a delivery exactly as docs/webhooks.md tells receivers to: recompute the HMAC over
 * `<t>.<raw body>` with the secret, compare in constant time, refuse a `t` older than 5 minutes.
 */
export function verifySignature(secret: string, rawBody: string, header: string, now = Date.now()): boolean {
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=') as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(now / 1000 - t) > 300 || !parts.v1) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

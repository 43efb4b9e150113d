import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

const sdkBundle = () =>
  readFileSync(createRequire(import.meta.url).resolve('@acquaint/sdk/dist/acquaint.js'));

/** A message as the SDK sends it (Segment spec). */
export interface SentMessage {
  type: 'identify' | 'track' | 'page';
  messageId: string;
  anonymousId: string;
  userId?: string;
  timestamp: string;
  userHash?: string;
  traits?: Record<string, unknown>;
  event?: string;
  name?: string;
  properties?: Record<string, unknown>;
  context: {
    page: { url: string; path: string; referrer: string; title: string; search: string };
    userAgent: string;
    screen: { width: number; height: number };
    locale: string;
    campaign?: Record<string, string>;
    library: { name: string; version: string };
    sessionId: string;
  };
}

/** One POST /v1/batch the collector received, and how it answered. */
export interface BatchRequest {
  headers: IncomingHttpHeaders;
  body: { batch: SentMessage[]; writeKey: string; sentAt: string };
  receivedAt: number;
  status: number;
}

/** A scripted answer: status, headers and JSON body. */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * A stand-in for the Acquaint server that records what the SDK sends, for the tests of the wire
 * format and of delivery (batching, retries, back-off) that need answers a real server only
 * gives under failure. Serves `/sdk.js` (optionally late) and answers `/v1/batch` with the
 * scripted `answers` in order, then `200 {"success": true}`. CORS as the real server's, with
 * Retry-After readable by the page.
 */
export class Collector {
  requests: BatchRequest[] = [];
  answers: Answer[] = [];
  sdkDelayMs = 0;
  private server: Server;

  private constructor() {
    this.server = createServer((request, response) => {
      const cors = {
        'access-control-allow-origin': request.headers.origin ?? '*',
        'access-control-expose-headers': 'Retry-After',
      };
      if (request.method === 'GET' && request.url === '/sdk.js') {
        setTimeout(() => {
          response.writeHead(200, { 'content-type': 'application/javascript' }).end(sdkBundle());
        }, this.sdkDelayMs);
        return;
      }
      if (request.method !== 'POST' || request.url !== '/v1/batch') {
        response.writeHead(404, cors).end();
        return;
      }
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const answer = this.answers.shift() ?? { status: 200, body: { success: true } };
        this.requests.push({
          headers: request.headers,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          receivedAt: Date.now(),
          status: answer.status,
        });
        response
          .writeHead(answer.status, { ...cors, 'content-type': 'application/json', ...answer.headers })
          .end(JSON.stringify(answer.body ?? {}));
      });
    });
  }

  static async start(): Promise<Collector> {
    const collector = new Collector();
    await new Promise<void>((resolve) => collector.server.listen(0, '127.0.0.1', resolve));
    return collector;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /**
   * The messages of the batches answered with success, in the order received, once per
   * messageId as the server stores them: delivery is at least once (a message in flight when its
   * page goes away is sent again by the next page), and the server deduplicates.
   */
  accepted(): SentMessage[] {
    const byId = new Map<string, SentMessage>();
    for (const request of this.requests.filter((r) => r.status === 200)) {
      for (const message of request.body.batch)
        if (!byId.has(message.messageId)) byId.set(message.messageId, message);
    }
    return [...byId.values()];
  }

  /** Forgets what was received and scripted, between tests. */
  clear(): void {
    this.requests = [];
    this.answers = [];
    this.sdkDelayMs = 0;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

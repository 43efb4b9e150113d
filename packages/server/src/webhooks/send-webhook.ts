import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import { describeRefusal, refusedAddress } from './address-policy.js';
import { signPayload } from './sign-payload.js';

/** What one attempt to send a delivery gave. */
export interface SendOutcome {
  ok: boolean;
  /** The receiver's HTTP status, or null when no answer came (refused, unreachable, timed out). */
  status: number | null;
  durationMs: number;
  /** Why the attempt failed, for the delivery log; null when it succeeded. */
  error: string | null;
}

export interface SenderOptions {
  /** Time allowed for the whole attempt: connect, answer and body (10 s). */
  timeoutMs: number;
  /** Loopback and private addresses may receive (ACQUAINT_WEBHOOKS_ALLOW_PRIVATE). */
  allowPrivate: boolean;
}

/** The most of a receiver's answer read; the rest is not waited for. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Sends signed webhook deliveries over HTTP(S), safely.
 * strategy: the address is checked where the connection is made, not only when the URL was saved:
 * a custom `lookup` drops refused addresses from what DNS answers (so a name that re-points to a
 * private address — DNS rebinding — cannot reach it), and the socket's remote address is checked
 * again on connect (IP literals skip lookup). Redirects are never followed; an answer is read up
 * to 64 KiB; a timer bounds the whole attempt, so a hanging receiver costs at most `timeoutMs`.
 */
export class WebhookSender {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly lookup: LookupFunction;

  constructor(private readonly options: SenderOptions) {
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });
    this.lookup = safeLookup(options.allowPrivate);
  }

  send(url: string, secret: string, body: string, now = Date.now()): Promise<SendOutcome> {
    const started = performance.now();
    const finish = (status: number | null, error: string | null): SendOutcome => ({
      ok: error === null,
      status,
      durationMs: Math.round(performance.now() - started),
      error,
    });
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return Promise.resolve(finish(null, `"${url}" is not a URL`));
    }
    const https_ = target.protocol === 'https:';
    const transport = https_ ? https : http;
    return new Promise((resolve) => {
      let settled = false;
      const done = (status: number | null, error: string | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(finish(status, error));
      };
      const request = transport.request(target, {
        method: 'POST',
        agent: https_ ? this.httpsAgent : this.httpAgent,
        lookup: this.lookup,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Acquaint-Webhooks/0.1',
          'acquaint-signature': signPayload(secret, body, now),
        },
      });
      // When it fires, the answer may be waiting unread because the event loop was busy (a long
      // synchronous SQLite write in this process): I/O is read before `setImmediate` runs, so an
      // answer that came in time counts, and only a receiver that did not answer times out.
      const timer = setTimeout(
        () =>
          setImmediate(() => {
            if (settled) return;
            request.destroy();
            done(null, `no complete answer within ${this.options.timeoutMs / 1000} s`);
          }),
        this.options.timeoutMs,
      );
      request.on('socket', (socket: Socket) => {
        const check = () => {
          const address = socket.remoteAddress ?? '';
          const refusal = refusedAddress(address, this.options.allowPrivate);
          if (refusal === null) return;
          request.destroy();
          done(null, `refused: ${describeRefusal(address, refusal)}`);
        };
        if (socket.connecting) socket.once('connect', check);
        else check();
      });
      request.on('error', (error) => done(null, error.message));
      request.on('response', (response) => {
        const status = response.statusCode ?? 0;
        let read = 0;
        const parts: Buffer[] = [];
        const conclude = () => {
          response.destroy();
          if (status >= 200 && status < 300) return done(status, null);
          if (status >= 300 && status < 400) {
            const location = response.headers.location ?? 'nowhere';
            return done(status, `HTTP ${status}: redirect to ${location} not followed`);
          }
          const text = Buffer.concat(parts).toString('utf8').slice(0, 200).trim();
          return done(status, `HTTP ${status}${text ? `: ${text}` : ''}`);
        };
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (parts.length < 4) parts.push(chunk);
          if (read >= MAX_ANSWER_BYTES) conclude();
        });
        response.on('end', conclude);
        response.on('error', (error) => done(status, error.message));
      });
      request.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** `dns.lookup` that keeps only addresses allowed to receive webhooks. */
function safeLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    if (isIP(hostname)) {
      const refusal = refusedAddress(hostname, allowPrivate);
      if (refusal) return callback(refusedError(hostname, refusal), '', 4);
    }
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 4);
      const allowed = addresses.filter((a) => refusedAddress(a.address, allowPrivate) === null);
      if (allowed.length === 0) {
        const first = addresses[0];
        const refusal = first ? refusedAddress(first.address, allowPrivate) : 'reserved';
        return callback(refusedError(`${hostname} (${first?.address})`, refusal ?? 'reserved'), '', 4);
      }
      if ((options as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
      callback(null, allowed[0].address, allowed[0].family);
    });
  };
}

function refusedError(what: string, refusal: Exclude<ReturnType<typeof refusedAddress>, null>) {
  const error = new Error(`refused: ${describeRefusal(what, refusal)}`) as NodeJS.ErrnoException;
  error.code = 'EADDRREFUSED';
  return error;
}

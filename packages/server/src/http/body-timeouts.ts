import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RequestError } from '../errors/error-codes.js';

/** A streamed upload must bring at least this many bytes in each stall period. */
export const MIN_UPLOAD_PROGRESS_BYTES = 16 * 1024;

export interface BodyTimeouts {
  /** How long a whole request body may take to arrive (routes that parse their body). */
  bodyTimeoutMs: number;
  /** A streamed upload bringing fewer than `MIN_UPLOAD_PROGRESS_BYTES` in this time is ended. */
  uploadStallMs: number;
}

/**
 * Bounds how long a client may take to send its request, so that slow bodies cannot hold
 * connections (and memory) for ever.
 * strategy: a request still receiving its body is checked every period: a parsed body must be
 * whole by `bodyTimeoutMs`; a streamed one (`config.streamedBody`, a CSV import) must have brought
 * enough new bytes since the last check. Past either bound it is answered 408 and its connection
 * closed. Any answer sent before its request is whole (a refused key) also closes the connection,
 * so the rest of a trickled body is never waited for.
 */
export function registerBodyTimeouts(app: FastifyInstance, timeouts: BodyTimeouts): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.raw.complete) return;
    const streamed = request.routeOptions.config.streamedBody === true;
    const period = streamed ? timeouts.uploadStallMs : timeouts.bodyTimeoutMs;
    const socket = request.raw.socket;
    let bytesAtCheck = socket.bytesRead;
    const timer = setInterval(() => {
      if (request.raw.complete || reply.sent) return clearInterval(timer);
      const progress = socket.bytesRead - bytesAtCheck;
      bytesAtCheck = socket.bytesRead;
      if (streamed && progress >= MIN_UPLOAD_PROGRESS_BYTES) return;
      clearInterval(timer);
      const error = streamed
        ? new RequestError(
            'REQUEST_TIMEOUT',
            `the upload brought ${progress} bytes in ${period} ms, under ${MIN_UPLOAD_PROGRESS_BYTES}; send it again (a job resumes where it stopped)`,
          )
        : new RequestError('REQUEST_TIMEOUT', `the request body did not arrive within ${period} ms`);
      closeAfterAnswer(request, reply, error);
      void reply.code(error.status).send({ error: { code: error.code, message: error.message } });
    }, period);
    timer.unref();
    request.raw.once('close', () => clearInterval(timer));
  });
  app.addHook('onSend', async (request, reply) => {
    if (!request.raw.complete) closeAfterAnswer(request, reply);
  });
}

/**
 * Ends the request and its connection once the answer is written: the rest of the body is not
 * read, and a handler still reading it (an import) sees the stream end with `reason`.
 */
function closeAfterAnswer(request: FastifyRequest, reply: FastifyReply, reason?: Error): void {
  reply.header('connection', 'close');
  reply.raw.once('finish', () => request.raw.destroy(reason));
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route reads its body as a stream (an upload): bounded by progress, not by a deadline. */
    streamedBody?: boolean;
  }
}

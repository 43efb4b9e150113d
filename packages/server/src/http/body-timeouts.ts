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

/** How many times per period a streamed upload is looked at. */
const UPLOAD_CHECKS_PER_PERIOD = 10;

/**
 * Bounds how long a client may take to send its request, so that slow bodies cannot hold
 * connections (and memory) for ever.
 * strategy: a parsed body must be whole by `bodyTimeoutMs`. A streamed one (`config.streamedBody`,
 * a CSV import) must bring enough new bytes in each `uploadStallMs` of the server waiting for
 * them; while the server has bytes it has not read yet (it is still writing what came), the
 * client is not the slow side and the time does not count. Past either bound the request is
 * answered 408 and its connection closed. Any answer sent before its request is whole (a refused
 * key) also closes the connection, so the rest of a trickled body is never waited for.
 */
export function registerBodyTimeouts(app: FastifyInstance, timeouts: BodyTimeouts): void {
  // Callback-style hooks: they run on every request and wait for nothing.
  app.addHook('onRequest', (request, reply, done) => {
    if (!request.raw.complete) {
      const stop =
        request.routeOptions.config.streamedBody === true
          ? watchUploadProgress(request, reply, timeouts.uploadStallMs)
          : watchBodyDeadline(request, reply, timeouts.bodyTimeoutMs);
      request.raw.once('close', stop);
    }
    done();
  });
  app.addHook('onSend', (request, reply, _payload, done) => {
    if (!request.raw.complete) closeAfterAnswer(request, reply);
    done();
  });
}

function watchBodyDeadline(request: FastifyRequest, reply: FastifyReply, deadlineMs: number): () => void {
  const timer = setTimeout(() => {
    if (request.raw.complete || reply.sent) return;
    timeOut(request, reply, `the request body did not arrive within ${deadlineMs} ms`);
  }, deadlineMs);
  timer.unref();
  return () => clearTimeout(timer);
}

function watchUploadProgress(request: FastifyRequest, reply: FastifyReply, stallMs: number): () => void {
  const socket = request.raw.socket;
  const checkMs = Math.max(1, Math.floor(stallMs / UPLOAD_CHECKS_PER_PERIOD));
  let waitedMs = 0;
  let bytesAtStart = socket.bytesRead;
  const timer = setInterval(() => {
    if (request.raw.complete || reply.sent) return clearInterval(timer);
    if (request.raw.readableLength > 0) return;
    waitedMs += checkMs;
    if (waitedMs < stallMs) return;
    const progress = socket.bytesRead - bytesAtStart;
    waitedMs = 0;
    bytesAtStart = socket.bytesRead;
    if (progress >= MIN_UPLOAD_PROGRESS_BYTES) return;
    clearInterval(timer);
    timeOut(
      request,
      reply,
      `the upload brought ${progress} bytes in ${stallMs} ms, under ${MIN_UPLOAD_PROGRESS_BYTES}; send it again (a job resumes where it stopped)`,
    );
  }, checkMs);
  timer.unref();
  return () => clearInterval(timer);
}

function timeOut(request: FastifyRequest, reply: FastifyReply, message: string): void {
  const error = new RequestError('REQUEST_TIMEOUT', message);
  closeAfterAnswer(request, reply, error);
  void reply.code(error.status).send({ error: { code: error.code, message: error.message } });
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

import type { FastifyError, FastifyInstance } from 'fastify';
import { ERROR_CODES, type ErrorCode, RequestError } from '../errors/error-codes.js';

/** The body of every error answer: a stable code and a sentence that says what to do. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; pointer?: string };
}

/** Turns every failure into `{error: {code, message}}`: 4xx for bad requests, 500 only for our faults. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | RequestError, request, reply) => {
    const { status, code, message, headers } = describe(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    const pointer = error instanceof RequestError ? error.pointer : validationPointer(error);
    void reply
      .code(status)
      .headers(headers)
      .send({
        error: pointer === undefined ? { code, message } : { code, message, pointer },
      } satisfies ErrorBody);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` } });
  });
}

function describe(error: FastifyError | RequestError): {
  status: number;
  code: ErrorCode;
  message: string;
  headers: Record<string, string>;
} {
  if (error instanceof RequestError) {
    return { status: error.status, code: error.code, message: error.message, headers: error.headers };
  }
  const fastifyCode = (error as FastifyError).code;
  if ((error as FastifyError).validation) {
    return { status: 400, code: 'INVALID_BODY', message: error.message, headers: {} };
  }
  if (typeof fastifyCode === 'string' && fastifyCode.startsWith('Z_')) {
    return {
      status: 400,
      code: 'INVALID_JSON',
      message: 'the body is not valid gzip/deflate data',
      headers: {},
    };
  }
  switch (fastifyCode) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
        message: 'the request body is over the size limit',
        headers: {},
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return {
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: `content-type is not supported; send JSON as application/json or text/plain`,
        headers: {},
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        status: 400,
        code: 'INVALID_BODY',
        message: 'the body is empty; send a JSON object',
        headers: {},
      };
  }
  const status = (error as FastifyError).statusCode;
  if (status && status >= 400 && status < 500) {
    const code: ErrorCode =
      status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'INVALID_BODY';
    return { status, code, message: error.message, headers: {} };
  }
  return {
    status: 500,
    code: 'INTERNAL_ERROR',
    message: ERROR_CODES.INTERNAL_ERROR.description,
    headers: {},
  };
}

/**
 * The JSON pointer of the first schema violation in a request body (`/metric/type`); for a missing
 * property, the pointer of the property that is missing.
 */
function validationPointer(error: FastifyError): string | undefined {
  const [first] = error.validation ?? [];
  if (!first || error.validationContext !== 'body') return undefined;
  const missing = (first.params as { missingProperty?: unknown }).missingProperty;
  return typeof missing === 'string' ? `${first.instancePath}/${missing}` : first.instancePath;
}

import type { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, type ErrorCode, RequestError } from '../../errors/error-codes.js';
import { namedEncoding } from '../../imports/csv-encoding.js';
import { acceptsFile, createCsvImportJob, sweepStaleJobs, viewImportJob } from '../../imports/import-jobs.js';
import { runCsvImport } from '../../imports/run-csv-import.js';
import { findImportJob, type ImportJobRow } from '../../storage/import-job-repository.js';
import type { AppContext } from '../app-context.js';
import { documentedAsSent, importJobAnswer } from './answer-schemas.js';
import { importReadRoutes } from './import-read-routes.js';
import { errorResponses, importJobParams } from './route-schemas.js';

/** Options of a CSV upload, as query parameters (or the JSON body that creates a pending job). */
const csvOptions = {
  dry_run: { type: 'boolean', default: false, description: 'Only check the file; write nothing.' },
  encoding: {
    type: 'string',
    description:
      'utf-8, shift_jis (cp932), windows-1252 or utf-16le/utf-16be; detected when absent (byte-order mark, UTF-8 checked over the whole file, else Shift_JIS or Windows-1252 by scoring). A named encoding overrides detection.',
  },
  delimiter: { type: 'string', enum: ['comma', 'tab', 'semicolon'], description: 'Detected when absent.' },
  file_name: { type: 'string', maxLength: 255 },
  size_bytes: { type: 'integer', minimum: 0, description: 'Size of the file, for progress in percent.' },
} as const;
type CsvOptions = {
  dry_run?: boolean;
  encoding?: string;
  delimiter?: string;
  file_name?: string;
  size_bytes?: number;
};

const csvBodyNote =
  'Send the file as the body (`Content-Type: text/csv`, gzip allowed) or as the `file` part of a `multipart/form-data` upload (an `encoding` field before it names the encoding, as the query parameter does). It is streamed, never held whole.';

/**
 * CSV import jobs (secret key, scope `upload`): one request that sends the file and answers the
 * finished job, or a pending job created first (so its progress can be watched) and its file sent
 * with `PUT /api/imports/:id/file`, which also resumes an interrupted job.
 */
export async function importRoutes(
  app: FastifyInstance,
  { context }: { context: AppContext },
): Promise<void> {
  const { store, config } = context;
  app.addContentTypeParser(['text/csv', 'application/octet-stream'], (_request, payload, done) =>
    done(null, payload),
  );
  await app.register(multipart, { limits: { fileSize: Number.MAX_SAFE_INTEGER, files: 1, fields: 10 } });

  const runFile = async (reply: FastifyReply, input: CsvFile, job: ImportJobRow, options: CsvOptions) => {
    const finished = await runCsvImport(store, job, input.stream, {
      encoding: options.encoding,
      delimiter: options.delimiter,
      maxFields: config.maxProfileFields,
      chunkRows: config.importChunkRows,
      deferIndexesAfterRows: config.importDeferIndexesAfterRows,
      heapGrowingPercent: config.importHeapGrowingPercent,
      heartbeatMs: config.importHeartbeatMs,
    });
    context.metrics.countImportRows('csv', {
      received: Number(finished.rows_received) - Number(job.rows_received),
      failed: Number(finished.rows_failed) - Number(job.rows_failed),
    });
    const view = await viewImportJob(store.db, finished);
    if (finished.status === 'completed') return reply.code(200).send(view);
    const code = (finished.error_code ?? 'IMPORT_INTERRUPTED') as ErrorCode;
    return reply
      .code(ERROR_CODES[code].status)
      .send({ error: { code, message: finished.error_message }, job: view });
  };

  app.post(
    '/api/imports',
    {
      config: { streamedBody: true },
      ...documentedAsSent,
      schema: {
        tags: ['imports'],
        summary: 'Import a CSV file of users and attributes, or create a job to send it to',
        description: `First column = user identifier, header row = attribute names. ${csvBodyNote} The answer is the finished job (or the error that stopped it, with the job). With a JSON body instead, a pending job is created (201) and the file is sent with \`PUT /api/imports/{id}/file\`.`,
        security: [{ apiKey: ['upload'] }],
        querystring: { type: 'object', properties: csvOptions },
        response: { 200: importJobAnswer, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { project, key } = await context.auth.apiKey(request, 'upload');
      const isJson = /^application\/json/i.test(request.headers['content-type'] ?? '');
      const options = { ...(request.query as CsvOptions), ...(isJson ? jsonJobOptions(request.body) : {}) };
      const input = isJson ? null : await fileOf(request);
      options.encoding = input?.encoding ?? options.encoding;
      const job = await createCsvImportJob(store, {
        projectId: project.id,
        apiKeyId: key.id,
        encoding: isJson ? checkedEncoding(options.encoding) : null,
        fileName: options.file_name ?? input?.fileName ?? null,
        // A JSON body only announces the job: its own length says nothing of the file's.
        sizeBytes: options.size_bytes ?? (isJson ? null : bodySize(request)),
        dryRun: options.dry_run === true,
      });
      if (input === null) return reply.code(201).send(await viewImportJob(store.db, job));
      return runFile(reply, input, job, options);
    },
  );

  app.put(
    '/api/imports/:id/file',
    {
      config: { streamedBody: true },
      ...documentedAsSent,
      schema: {
        tags: ['imports'],
        summary: 'Send the CSV file of a pending job, or send it again to resume an interrupted job',
        description: `${csvBodyNote} A resumed job checks the header is the same and skips the rows it already wrote.`,
        security: [{ apiKey: ['upload'] }],
        params: importJobParams,
        querystring: {
          type: 'object',
          properties: { encoding: csvOptions.encoding, delimiter: csvOptions.delimiter },
        },
        response: { 200: importJobAnswer, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { project } = await context.auth.apiKey(request, 'upload');
      await sweepStaleJobs(store.db, project.id, config.importHeartbeatMs);
      const { id } = request.params as { id: string };
      const job = await findImportJob(store.db, project.id, id);
      if (!job) throw new RequestError('NOT_FOUND', `no import job "${id}" in this project`);
      if (!acceptsFile(job)) {
        throw new RequestError(
          'IMPORT_NOT_RESUMABLE',
          `import job "${id}" is ${job.status}; only a pending or interrupted CSV job takes a file`,
        );
      }
      const input = await fileOf(request);
      const query = request.query as CsvOptions;
      // The encoding named now, else the one the job was created with or first read the file in.
      const encoding = input.encoding ?? query.encoding ?? job.encoding ?? undefined;
      return runFile(reply, input, job, { ...query, encoding });
    },
  );

  await app.register(importReadRoutes, { context });
}

interface CsvFile {
  stream: Readable;
  fileName: string | null;
  /** The `encoding` field of a multipart upload, sent before the file part. */
  encoding?: string;
}

/** The file of the request: the body stream, or the first file part of a multipart upload. */
async function fileOf(request: FastifyRequest): Promise<CsvFile> {
  if (request.isMultipart()) {
    const part = await request.file();
    if (!part) throw new RequestError('EMPTY_FILE', 'the multipart upload has no file part');
    const field = part.fields.encoding;
    const encoding =
      field && !Array.isArray(field) && field.type === 'field' ? String(field.value) : undefined;
    return { stream: part.file, fileName: part.filename || null, encoding };
  }
  if (!request.body || typeof (request.body as Readable).pipe !== 'function') {
    throw new RequestError('UNSUPPORTED_MEDIA_TYPE', 'send the CSV file as text/csv or multipart/form-data');
  }
  return { stream: request.body as Readable, fileName: fileNameOf(request.headers['content-disposition']) };
}

/**
 * The options of a job announced with a JSON body, checked as the query string's are (that
 * schema cannot be the body's: the same route takes CSV streams).
 */
function jsonJobOptions(body: unknown): CsvOptions {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RequestError('INVALID_BODY', 'a JSON body to create a job is an object of options');
  }
  const options = body as Record<string, unknown>;
  const refuse = (name: string, expected: string): never => {
    throw new RequestError('INVALID_BODY', `"${name}" must be ${expected}`, undefined, `/${name}`);
  };
  for (const name of ['encoding', 'delimiter', 'file_name'] as const) {
    const value = options[name];
    if (value !== undefined && (typeof value !== 'string' || value.length > csvOptions.file_name.maxLength))
      refuse(name, `a string of at most ${csvOptions.file_name.maxLength} characters`);
  }
  const size = options.size_bytes;
  if (size !== undefined && !(Number.isSafeInteger(size) && (size as number) >= 0))
    refuse('size_bytes', 'a whole number of bytes, 0 or more');
  if (options.dry_run !== undefined && typeof options.dry_run !== 'boolean')
    refuse('dry_run', 'true or false');
  return options as CsvOptions;
}

/** The encoding a pending job is created with, refused here when it is not one understood. */
function checkedEncoding(name: string | undefined): string | null {
  if (name === undefined) return null;
  const named = namedEncoding(name);
  if (!named.ok) throw new RequestError(named.code, named.message, undefined, '/encoding');
  return named.encoding;
}

/** The announced size of a plain (not compressed) body, for progress in percent. */
function bodySize(request: FastifyRequest): number | null {
  if (request.isMultipart() || request.headers['content-encoding']) return null;
  const length = Number(request.headers['content-length']);
  return Number.isFinite(length) && length > 0 ? length : null;
}

/** A file name from `Content-Disposition` on a plain body (multipart names come with the part). */
function fileNameOf(disposition: string | undefined): string | null {
  const match = /filename="?([^";]+)"?/i.exec(disposition ?? '');
  return match ? match[1] : null;
}

import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { RequestError } from '../../errors/error-codes.js';
import { csvLine } from '../../imports/csv-line.js';
import { importHistory, sweepStaleJobs, viewImportJob } from '../../imports/import-jobs.js';
import { findImportJob, loadImportErrors, loadJobChunkPersons } from '../../storage/import-job-repository.js';
import { findUserIdsOfPersons } from '../../storage/import-user-ids.js';
import type { AppContext } from '../app-context.js';
import { decodeCursor, encodeCursor, readKeyedPosition } from '../paging-cursor.js';
import {
  documentedAsSent,
  importJobAnswer,
  importListAnswer,
  importUsersAnswer,
  textAnswer,
} from './answer-schemas.js';
import { errorResponses, importJobParams } from './route-schemas.js';

const ERROR_PAGE = 5000;

/** Import history, job status, a job's errors as CSV and its users (secret key, scope `upload`). */
export async function importReadRoutes(
  app: FastifyInstance,
  { context }: { context: AppContext },
): Promise<void> {
  const { store, config } = context;
  const jobOf = async (projectId: string, id: string) => {
    await sweepStaleJobs(store.db, projectId, config.importHeartbeatMs);
    const job = await findImportJob(store.db, projectId, id);
    if (!job) throw new RequestError('NOT_FOUND', `no import job "${id}" in this project`);
    return job;
  };

  app.get(
    '/api/imports',
    {
      ...documentedAsSent,
      schema: {
        tags: ['imports'],
        summary: 'Import history, newest first (CSV jobs and bulk uploads)',
        security: [{ apiKey: ['upload'] }],
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            offset: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 },
            cursor: {
              type: 'string',
              maxLength: 500,
              description: 'The `next_cursor` of the previous page (pages by cursor instead of `offset`).',
            },
          },
        },
        response: { 200: importListAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'upload');
      await sweepStaleJobs(store.db, project.id, config.importHeartbeatMs);
      const { limit, offset, cursor } = request.query as { limit: number; offset: number; cursor?: string };
      if (cursor !== undefined && offset > 0) {
        throw new RequestError('INVALID_CURSOR', 'page by "cursor" or by "offset", not both');
      }
      const after =
        cursor === undefined ? undefined : readKeyedPosition(decodeCursor('imports', cursor), 'number');
      const page = await importHistory(store.db, project.id, {
        limit,
        offset,
        after: after && { createdAt: after.first, id: after.id },
      });
      return {
        imports: page.imports,
        limit,
        offset,
        next_cursor: page.next && encodeCursor('imports', page.next),
      };
    },
  );

  app.get(
    '/api/imports/:id',
    {
      ...documentedAsSent,
      schema: {
        tags: ['imports'],
        summary: 'An import job: status, progress (rows, bytes, percent), counts and its first errors',
        security: [{ apiKey: ['upload'] }],
        params: importJobParams,
        response: { 200: importJobAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'upload');
      return viewImportJob(store.db, await jobOf(project.id, (request.params as { id: string }).id));
    },
  );

  app.get(
    '/api/imports/:id/errors.csv',
    {
      schema: {
        tags: ['imports'],
        summary: "All of a job's refused rows and warnings, as CSV",
        security: [{ apiKey: ['upload'] }],
        params: importJobParams,
        response: {
          200: textAnswer('text/csv', 'row,user_id,field,code,message (UTF-8 with BOM).'),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { project } = await context.auth.apiKey(request, 'upload');
      const job = await jobOf(project.id, (request.params as { id: string }).id);
      const lines = async function* () {
        yield `\uFEFF${csvLine(['row', 'user_id', 'field', 'code', 'message'])}`;
        for (let after = 0; ; ) {
          const page = await loadImportErrors(store.db, job.id, after, ERROR_PAGE);
          for (const e of page) yield csvLine([Number(e.row), e.user_id, e.field, e.code, e.message]);
          if (page.length < ERROR_PAGE) return;
          after = Number(page[page.length - 1].seq);
        }
      };
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${job.id}-errors.csv"`)
        .send(Readable.from(lines()));
    },
  );

  app.get(
    '/api/imports/:id/users',
    {
      ...documentedAsSent,
      schema: {
        tags: ['imports'],
        summary: 'The user ids a job wrote, a chunk of the file at a time ("the users of import job X")',
        description: 'Pass `next` of one answer as `after` to get the next page; `next` is null at the end.',
        security: [{ apiKey: ['upload'] }],
        params: importJobParams,
        querystring: {
          type: 'object',
          // A chunk's number is a 32-bit integer column (0002_imports).
          properties: { after: { type: 'integer', minimum: 0, maximum: 2 ** 31 - 1, default: 0 } },
        },
        response: { 200: importUsersAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'upload');
      const job = await jobOf(project.id, (request.params as { id: string }).id);
      const { after } = request.query as { after: number };
      const [chunk] = await loadJobChunkPersons(store.db, job.id, after, 1);
      if (!chunk) return { user_ids: [], next: null };
      return {
        user_ids: await findUserIdsOfPersons(store.db, project.id, chunk.personIds),
        next: chunk.seq,
      };
    },
  );
}

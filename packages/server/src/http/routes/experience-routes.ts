import type { FastifyInstance } from 'fastify';
import { RequestError } from '../../errors/error-codes.js';
import { experienceView } from '../../personalization/experience.js';
import type { CatalogResult, ExperienceCatalog } from '../../personalization/experience-catalog.js';
import { countExperiences, findExperience, listExperiences } from '../../storage/experience-repository.js';
import type { AppContext } from '../app-context.js';
import { decodeCursor, encodeCursor, readKeyedPosition } from '../paging-cursor.js';
import {
  experienceBody,
  experienceParams,
  experiencePatchBody,
  experienceResponse,
} from './experience-schemas.js';
import { errorResponses } from './route-schemas.js';

/** Experiences: create, list, read, change, delete (secret key; `query` reads, `admin` changes). */
export async function experienceRoutes(
  app: FastifyInstance,
  { context, catalog }: { context: AppContext; catalog: ExperienceCatalog },
): Promise<void> {
  const { store } = context;
  const reads = { tags: ['experiences'], security: [{ apiKey: ['query'] }] };
  const changes = { tags: ['experiences'], security: [{ apiKey: ['admin'] }] };

  app.post(
    '/api/experiences',
    {
      schema: {
        ...changes,
        summary: 'Create an experience (a draft)',
        body: experienceBody,
        response: { 201: experienceResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { project } = await context.auth.apiKey(request, 'admin');
      const experience = answer(await catalog.create(project, request.body));
      return reply.code(201).send(experience);
    },
  );

  app.get(
    '/api/experiences',
    {
      schema: {
        ...reads,
        summary: 'The experiences of the project, newest first',
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            cursor: { type: 'string' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              experiences: { type: 'array', items: experienceResponse },
              total: { type: 'integer' },
              next_cursor: { type: ['string', 'null'] },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'query');
      const { limit, cursor } = request.query as { limit: number; cursor?: string };
      const after =
        cursor === undefined ? undefined : experiencePosition(decodeCursor('experiences', cursor));
      const page = await listExperiences(store.db, project.id, { limit: limit + 1, after });
      const more = page.length > limit;
      const shown = page.slice(0, limit);
      const last = shown[shown.length - 1];
      return {
        experiences: shown.map(experienceView),
        total: await countExperiences(store.db, project.id),
        next_cursor: more && last ? encodeCursor('experiences', [last.createdAt, last.id]) : null,
      };
    },
  );

  app.get(
    '/api/experiences/:id',
    {
      schema: {
        ...reads,
        summary: 'One experience',
        params: experienceParams,
        response: { 200: experienceResponse, ...errorResponses },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'query');
      const { id } = request.params as { id: string };
      const experience = await findExperience(store.db, project.id, id);
      if (!experience)
        throw new RequestError('EXPERIENCE_NOT_FOUND', `no experience "${id}" in this project`);
      return experienceView(experience);
    },
  );

  app.patch(
    '/api/experiences/:id',
    {
      schema: {
        ...changes,
        summary: 'Change an experience; the fields sent replace the stored ones',
        params: experienceParams,
        body: experiencePatchBody,
        response: { 200: experienceResponse, ...errorResponses },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'admin');
      const { id } = request.params as { id: string };
      return answer(await catalog.update(project, id, request.body as Record<string, unknown>));
    },
  );

  app.delete(
    '/api/experiences/:id',
    {
      schema: {
        ...changes,
        summary: 'Delete an experience and its assignments',
        params: experienceParams,
        response: {
          200: { type: 'object', properties: { deleted: { type: 'boolean' } } },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'admin');
      const { id } = request.params as { id: string };
      if (!(await catalog.remove(project, id))) {
        throw new RequestError('EXPERIENCE_NOT_FOUND', `no experience "${id}" in this project`);
      }
      return { deleted: true };
    },
  );
}

/** An experience, or the refusal as a 4xx with its pointer. */
export function answer(result: CatalogResult) {
  if (!result.ok) throw new RequestError(result.code, result.message, {}, result.pointer);
  return experienceView(result.experience);
}

function experiencePosition(position: unknown): { createdAt: number; id: string } {
  const { first, id } = readKeyedPosition(position, 'number');
  return { createdAt: first, id };
}

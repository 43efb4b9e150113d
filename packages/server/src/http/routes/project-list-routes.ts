import type { FastifyInstance } from 'fastify';
import { RequestError } from '../../errors/error-codes.js';
import { createProject } from '../../projects/create-project.js';
import { listProjects, type ProjectRow } from '../../storage/project-repository.js';
import type { AppContext } from '../app-context.js';
import { errorResponses } from './route-schemas.js';

const projectSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    write_key: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;

const view = (p: ProjectRow) => ({
  id: p.id,
  name: p.name,
  write_key: p.write_key,
  created_at: new Date(Number(p.created_at)).toISOString(),
});

/** The projects a dashboard session can switch between, and creating one. */
export async function projectListRoutes(
  app: FastifyInstance,
  { context }: { context: AppContext },
): Promise<void> {
  app.get(
    '/api/projects',
    {
      schema: {
        tags: ['project'],
        summary: 'Projects: every project for a dashboard session, its own for an API key',
        response: {
          200: { type: 'object', properties: { projects: { type: 'array', items: projectSchema } } },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      if (request.headers.authorization !== undefined) {
        const { project } = await context.auth.apiKey(request, 'query');
        return { projects: [view(project)] };
      }
      await context.auth.sessions.account(request);
      return { projects: (await listProjects(context.store.db)).map(view) };
    },
  );

  app.post(
    '/api/projects',
    {
      schema: {
        tags: ['project'],
        summary: 'Create a project (dashboard session of an owner or admin)',
        description: 'Answers its write key and a first secret API key with every scope, shown once.',
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, maxLength: 200 } },
        },
        response: {
          201: { type: 'object', properties: { ...projectSchema.properties, api_key: { type: 'string' } } },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { account } = await context.auth.sessions.account(request);
      if (account.role === 'viewer')
        throw new RequestError('ROLE_FORBIDDEN', 'your role (viewer) may not create projects');
      const { name } = request.body as { name: string };
      const created = await createProject(context.store, name.trim() || name);
      return reply.code(201).send({
        id: created.project_id,
        name: created.name,
        write_key: created.write_key,
        api_key: created.api_key,
        created_at: new Date().toISOString(),
      });
    },
  );
}

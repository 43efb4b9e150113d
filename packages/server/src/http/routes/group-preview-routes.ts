import type { FastifyInstance } from 'fastify';
import { checkGroupCondition, loadGroupDefinitions } from '../../groups/group-condition.js';
import { GROUP_TEMPLATES } from '../../groups/group-templates.js';
import { personsMatching } from '../../storage/condition-query.js';
import { countPersons, type PersonsQuery } from '../../storage/group-member-query.js';
import type { AppContext } from '../app-context.js';
import { groupOverview, orRefuse } from './group-schemas.js';
import { errorResponses } from './route-schemas.js';

/** Counting a condition before it is saved: the live preview and the templates (scope `query`). */
export async function groupPreviewRoutes(
  app: FastifyInstance,
  { context }: { context: AppContext },
): Promise<void> {
  const { store } = context;
  const count = async (projectId: string, condition: Parameters<typeof personsMatching>[2]) => {
    const groups = await loadGroupDefinitions(store.db, projectId);
    const persons = personsMatching(store.db, projectId, condition, { now: Date.now(), groups });
    return countPersons(persons as PersonsQuery);
  };

  app.post(
    '/api/groups/preview',
    {
      config: { readOnly: true },
      schema: {
        tags: ['groups'],
        summary: 'How many users a condition matches now (the live count while editing a group)',
        security: [{ apiKey: ['query'] }],
        body: {
          type: 'object',
          required: ['condition'],
          additionalProperties: false,
          properties: { condition: groupOverview.properties.condition },
        },
        response: {
          200: {
            type: 'object',
            properties: { users: { type: 'integer' }, warnings: groupOverview.properties.warnings },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'query');
      const { condition } = request.body as { condition: unknown };
      const checked = orRefuse(await checkGroupCondition(store.db, project.id, condition, null));
      const users = await count(project.id, checked.parsed);
      return checked.warnings.length > 0 ? { users, warnings: checked.warnings } : { users };
    },
  );

  app.get(
    '/api/group-templates',
    {
      schema: {
        tags: ['groups'],
        summary: 'Ready-made groups (anonymous, known, loyal, imported but not bound) with their counts now',
        description: "POST a template's `name` and `condition` to `/api/groups` to create it.",
        security: [{ apiKey: ['query'] }],
        response: {
          200: {
            type: 'object',
            properties: {
              templates: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    key: { type: 'string' },
                    name: { type: 'string' },
                    description: { type: 'string' },
                    condition: groupOverview.properties.condition,
                    users: { type: 'integer' },
                  },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'query');
      const templates = [];
      for (const template of GROUP_TEMPLATES) {
        const checked = orRefuse(await checkGroupCondition(store.db, project.id, template.condition, null));
        templates.push({ ...template, users: await count(project.id, checked.parsed) });
      }
      return { templates };
    },
  );
}

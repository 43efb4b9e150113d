import type { FastifyInstance } from 'fastify';
import { RequestError } from '../../errors/error-codes.js';
import { groupsOfPerson } from '../../groups/person-groups.js';
import { experiencesShownToPerson } from '../../storage/experience-assignment-repository.js';
import { findPersonById } from '../../storage/identity-repository.js';
import type { AppContext } from '../app-context.js';
import { personExperiencesAnswer } from './answer-schemas.js';
import { errorResponses } from './route-schemas.js';

const personIdParams = {
  type: 'object',
  required: ['personId'],
  properties: { personId: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
} as const;

const iso = (ms: number) => new Date(ms).toISOString();

/** A profile's groups and the experiences shown to the person (the dashboard's profile page). */
export async function personMembershipRoutes(
  app: FastifyInstance,
  { context }: { context: AppContext },
): Promise<void> {
  const { store } = context;
  const personOf = async (projectId: string, personId: number) => {
    const person = await findPersonById(store.db, projectId, personId);
    if (!person) throw new RequestError('PERSON_NOT_FOUND', `no person ${personId} in this project`);
    return person;
  };

  app.get(
    '/api/persons/:personId/groups',
    {
      schema: {
        tags: ['users'],
        security: [{ apiKey: ['query'] }],
        summary: 'The groups the person belongs to now (static members and dynamic conditions)',
        params: personIdParams,
        response: {
          200: {
            type: 'object',
            properties: {
              groups: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { id: { type: 'string' }, name: { type: 'string' }, type: { type: 'string' } },
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
      const person = await personOf(project.id, (request.params as { personId: number }).personId);
      return { groups: await groupsOfPerson(store.db, project.id, person.id, Date.now()) };
    },
  );

  app.get(
    '/api/persons/:personId/experiences',
    {
      schema: {
        tags: ['users'],
        security: [{ apiKey: ['query'] }],
        summary: 'The experiences shown to the person, with the variant given (sticky across devices)',
        description:
          '`variant` is `control` for a person in the control group (shown nothing). `first_shown_at` is when decide first answered it, `last_shown_at` the latest.',
        params: personIdParams,
        response: {
          200: personExperiencesAnswer,
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'query');
      const person = await personOf(project.id, (request.params as { personId: number }).personId);
      const shown = await experiencesShownToPerson(store.db, project.id, person.id);
      return {
        experiences: shown.map((e) => ({
          id: e.id,
          name: e.name,
          type: e.type,
          status: e.status,
          variant: e.variant,
          first_shown_at: iso(e.assigned_at),
          last_shown_at: iso(e.last_shown_at),
        })),
      };
    },
  );
}

import type { FastifyInstance } from 'fastify';
import { RequestError } from '../../errors/error-codes.js';
import { experienceReport } from '../../personalization/experience-report.js';
import { loadReportEvents } from '../../storage/experience-report-repository.js';
import { findExperience } from '../../storage/experience-repository.js';
import type { AppContext } from '../app-context.js';
import { experienceParams } from './experience-schemas.js';
import { errorResponses } from './route-schemas.js';

const variantReport = {
  type: 'object',
  properties: {
    name: { type: 'string', description: 'A variant, or `control`.' },
    users: { type: 'integer', description: 'Persons with an impression of this variant in the range.' },
    impressions: { type: 'integer' },
    clicks: { type: 'integer' },
    dismissals: { type: 'integer' },
    conversions: { type: 'integer', description: 'Users who reached the goal after their first impression.' },
    conversion_rate: { type: 'number', description: 'conversions / users, a fraction.' },
    lift: {
      type: 'number',
      description:
        'conversion_rate / control conversion_rate − 1 (absent for the control, or with no control conversion).',
    },
    lift_ci95: {
      type: 'array',
      items: { type: 'number' },
      description:
        '95% interval of the lift on the same scale: the Katz log interval of the risk ratio, minus 1.',
    },
  },
} as const;

/** `GET /api/experiences/:id/report`: per variant and the control, with lift over the control. */
export async function experienceReportRoutes(
  app: FastifyInstance,
  { context }: { context: AppContext },
): Promise<void> {
  app.get(
    '/api/experiences/:id/report',
    {
      schema: {
        tags: ['experiences'],
        security: [{ apiKey: ['query'] }],
        summary: 'Users, impressions, clicks, dismissals and conversions per variant and control, with lift',
        description:
          "The range is `[from, to)` on the events' own time; default from the experience's creation to now. A conversion is a goal (event, or a page view matching the URL rule) reached by a user after their first impression of that variant in the range.",
        params: experienceParams,
        querystring: {
          type: 'object',
          properties: {
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
          },
        },
        response: {
          200: { type: 'object', properties: { variants: { type: 'array', items: variantReport } } },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'query');
      const { id } = request.params as { id: string };
      const query = request.query as { from?: string; to?: string };
      const experience = await findExperience(context.store.db, project.id, id);
      if (!experience)
        throw new RequestError('EXPERIENCE_NOT_FOUND', `no experience "${id}" in this project`);
      const range = {
        from: query.from ? Date.parse(query.from) : experience.createdAt,
        to: query.to ? Date.parse(query.to) : Date.now() + 1,
      };
      if (!(range.from < range.to)) throw new RequestError('INVALID_BODY', '"from" must be before "to"');
      const db = context.store.db;
      const seen = await loadReportEvents(db, project.id, range, { experienceId: experience.id });
      const goal = experience.goal;
      const goalEvents = !goal
        ? []
        : await loadReportEvents(
            db,
            project.id,
            range,
            'event' in goal ? { event: goal.event } : { pageViews: true },
          );
      return experienceReport(experience, seen, goalEvents);
    },
  );
}

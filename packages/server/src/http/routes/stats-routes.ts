import type { FastifyInstance } from 'fastify';
import { identificationStats } from '../../profiles/identification-stats.js';
import type { AppContext } from '../app-context.js';
import { documentedAsSent, identificationStatsAnswer } from './answer-schemas.js';
import { errorResponses } from './route-schemas.js';

export async function statsRoutes(app: FastifyInstance, { context }: { context: AppContext }): Promise<void> {
  app.get(
    '/api/stats/identification',
    {
      ...documentedAsSent,
      schema: {
        tags: ['stats'],
        security: [{ apiKey: ['query'] }],
        summary: 'How many persons are identified, anonymous, imported and bound',
        response: { 200: identificationStatsAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'query');
      return identificationStats(context.store.db, project.id);
    },
  );
}

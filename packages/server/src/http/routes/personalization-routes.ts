import type { FastifyInstance } from 'fastify';
import type { Target } from '../../personalization/experience.js';
import { ExperienceCatalog } from '../../personalization/experience-catalog.js';
import { PublishedExperiences } from '../../personalization/published-experiences.js';
import type { AppContext } from '../app-context.js';
import { decideRoutes } from './decide-routes.js';
import { experienceActionRoutes } from './experience-action-routes.js';
import { experienceReportRoutes } from './experience-report-routes.js';
import { experienceRoutes } from './experience-routes.js';

/**
 * Personalisation (DESIGN §4): the experience routes and `/v1/decide`, sharing decide's memory of
 * published experiences, which every change through the catalog clears.
 */
export async function personalizationRoutes(
  app: FastifyInstance,
  { context }: { context: AppContext },
): Promise<void> {
  const published = new PublishedExperiences(context.store.db);
  const catalog = new ExperienceCatalog(
    context.store,
    async (_project, settings) =>
      'everyone' in settings.target
        ? null
        : {
            code: 'INVALID_EXPERIENCE',
            pointer: '/target',
            message: 'targeting by groups or conditions is not available yet; use {"everyone": true}',
          },
    (projectId) => published.invalidate(projectId),
  );
  const targeted = (_projectId: string, _personId: number | null, target: Target) => 'everyone' in target;
  await app.register(experienceRoutes, { context, catalog });
  await app.register(experienceActionRoutes, { context, catalog });
  await app.register(experienceReportRoutes, { context });
  await app.register(decideRoutes, { context, published, targeted });
}

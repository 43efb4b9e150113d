import type { FastifyInstance } from 'fastify';
import { loadGroupDefinitions } from '../../groups/group-condition.js';
import { checkTarget } from '../../personalization/check-target.js';
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
  const catalog = new ExperienceCatalog(context.store, checkTarget(context.store.db), (projectId) =>
    published.invalidate(projectId),
  );
  const groups = (projectId: string) => loadGroupDefinitions(context.store.db, projectId);
  await app.register(experienceRoutes, { context, catalog });
  await app.register(experienceActionRoutes, { context, catalog });
  await app.register(experienceReportRoutes, { context });
  await app.register(decideRoutes, { context, published, groups });
}

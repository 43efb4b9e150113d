import type { FastifyInstance } from 'fastify';
import { checkTarget } from '../../personalization/check-target.js';
import { ExperienceCatalog } from '../../personalization/experience-catalog.js';
import type { AppContext } from '../app-context.js';
import { decideRoutes } from './decide-routes.js';
import { experienceActionRoutes } from './experience-action-routes.js';
import { experienceReportRoutes } from './experience-report-routes.js';
import { experienceRoutes } from './experience-routes.js';

/**
 * Personalisation (DESIGN §4): the experience routes and `/v1/decide`; every change through the
 * catalog clears decide's memory of the project at once (other processes hear of it from the database).
 */
export async function personalizationRoutes(
  app: FastifyInstance,
  { context }: { context: AppContext },
): Promise<void> {
  const catalog = new ExperienceCatalog(context.store, checkTarget(context.store.db), (projectId) =>
    context.definitions.invalidate(projectId),
  );
  await app.register(experienceRoutes, { context, catalog });
  await app.register(experienceActionRoutes, { context, catalog });
  await app.register(experienceReportRoutes, { context });
  await app.register(decideRoutes, { context });
}

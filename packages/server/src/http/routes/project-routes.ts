import type { FastifyInstance } from 'fastify';
import { RequestError } from '../../errors/error-codes.js';
import { canonicalTimeZone } from '../../reports/time-zone.js';
import { updateProjectSettings } from '../../storage/project-repository.js';
import type { AppContext } from '../app-context.js';
import { documentedAsSent, projectAnswer, updatedAnswer } from './answer-schemas.js';
import { keyRotationRoutes } from './key-rotation-routes.js';
import { errorResponses } from './route-schemas.js';

/** The project of the API key: its write key, identity-verification setting and secret. */
export async function projectRoutes(
  app: FastifyInstance,
  { context }: { context: AppContext },
): Promise<void> {
  app.get(
    '/api/project',
    {
      ...documentedAsSent,
      schema: {
        tags: ['project'],
        security: [{ apiKey: ['admin'] }],
        summary: 'The project of this API key',
        response: { 200: projectAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'admin');
      return {
        project_id: project.id,
        name: project.name,
        write_key: project.write_key,
        verify_identity: project.verify_identity === 1,
        allow_scripts: project.allow_scripts === 1,
        identity_secret: project.identity_secret,
        timezone: project.timezone,
        created_at: new Date(project.created_at).toISOString(),
      };
    },
  );

  app.patch(
    '/api/project',
    {
      ...documentedAsSent,
      schema: {
        tags: ['project'],
        security: [{ apiKey: ['admin'] }],
        summary: 'Change project settings',
        description:
          '`verify_identity: true` makes every identify carry `userHash` = hex HMAC-SHA256(identity_secret, userId) (DESIGN §3 rule 10). `timezone` (an IANA name, default `UTC`) sets the days and weeks of reports. `allow_scripts: true` lets experience HTML hold scripts and inline event handlers (default false: refused when saved).',
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 200 },
            verify_identity: { type: 'boolean' },
            timezone: { type: 'string', minLength: 1, maxLength: 64 },
            allow_scripts: { type: 'boolean' },
          },
        },
        response: { 200: updatedAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'admin');
      const body = request.body as {
        name?: string;
        verify_identity?: boolean;
        timezone?: string;
        allow_scripts?: boolean;
      };
      const timezone = body.timezone === undefined ? undefined : canonicalTimeZone(body.timezone);
      if (timezone === null) {
        throw new RequestError(
          'INVALID_TIMEZONE',
          `timezone "${body.timezone}" is not an IANA time zone name (such as UTC or Asia/Tokyo)`,
          {},
          '/timezone',
        );
      }
      await updateProjectSettings(context.store.db, project.id, {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.verify_identity !== undefined ? { verify_identity: body.verify_identity ? 1 : 0 } : {}),
        ...(timezone !== undefined ? { timezone } : {}),
        ...(body.allow_scripts !== undefined ? { allow_scripts: body.allow_scripts ? 1 : 0 } : {}),
      });
      context.auth.forgetWriteKeys();
      return { updated: true };
    },
  );

  await app.register(keyRotationRoutes, { context });
}

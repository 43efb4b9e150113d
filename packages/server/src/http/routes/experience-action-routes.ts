import type { FastifyInstance } from 'fastify';
import { RequestError } from '../../errors/error-codes.js';
import type { ExperienceCatalog } from '../../personalization/experience-catalog.js';
import { parsePageRules } from '../../personalization/parse-experience.js';
import { PREVIEW_TTL_MS, signPreviewToken } from '../../personalization/preview-token.js';
import { matchesPages } from '../../personalization/url-rules.js';
import { findExperience } from '../../storage/experience-repository.js';
import type { AppContext } from '../app-context.js';
import { answer } from './experience-routes.js';
import { checkUrlBody, experienceParams, experienceResponse } from './experience-schemas.js';
import { errorResponses } from './route-schemas.js';

/** Publish, pause, test page rules against a URL, and make a preview link. */
export async function experienceActionRoutes(
  app: FastifyInstance,
  { context, catalog }: { context: AppContext; catalog: ExperienceCatalog },
): Promise<void> {
  const reads = { tags: ['experiences'], security: [{ apiKey: ['query'] }] };
  const changes = { tags: ['experiences'], security: [{ apiKey: ['admin'] }] };

  for (const [action, status] of [
    ['publish', 'published'],
    ['pause', 'paused'],
  ] as const) {
    app.post(
      `/api/experiences/:id/${action}`,
      {
        schema: {
          ...changes,
          summary:
            action === 'publish' ? 'Publish: decide starts showing it' : 'Pause: decide stops showing it',
          params: experienceParams,
          response: { 200: experienceResponse, ...errorResponses },
        },
      },
      async (request) => {
        const { project } = await context.auth.apiKey(request, 'admin');
        const { id } = request.params as { id: string };
        return answer(await catalog.setStatus(project, id, status));
      },
    );
  }

  app.post(
    '/api/experiences/check-url',
    {
      config: { readOnly: true },
      schema: {
        ...reads,
        summary: 'Whether page rules match a URL',
        body: checkUrlBody,
        response: { 200: { type: 'object', properties: { match: { type: 'boolean' } } }, ...errorResponses },
      },
    },
    async (request) => {
      await context.auth.apiKey(request, 'query');
      const body = request.body as { pages: unknown; url: string };
      const parsed = parsePageRules(body.pages);
      if (!parsed.ok) throw new RequestError(parsed.code, parsed.message, {}, parsed.pointer);
      return { match: matchesPages(parsed.pages, body.url) };
    },
  );

  app.post(
    '/api/experiences/:id/preview-link',
    {
      config: { readOnly: true },
      schema: {
        ...changes,
        summary: 'A link that shows this experience (even a draft) to the browser that opens it',
        description:
          'Opening `url` stores the preview token in that browser tab (sessionStorage); the SDK sends it with decide, which then shows this experience and variant whatever its status, schedule, target and frequency (page rules still apply). The token works for 24 hours.',
        params: experienceParams,
        body: {
          type: 'object',
          required: ['url'],
          properties: {
            url: { type: 'string', description: 'The page of the live site to open.' },
            variant: { type: 'string', description: 'The variant to show (default: the first).' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              url: { type: 'string' },
              token: { type: 'string' },
              expires_at: { type: 'string' },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'admin');
      const { id } = request.params as { id: string };
      const body = request.body as { url: string; variant?: string };
      const experience = await findExperience(context.store.db, project.id, id);
      if (!experience)
        throw new RequestError('EXPERIENCE_NOT_FOUND', `no experience "${id}" in this project`);
      const index =
        body.variant === undefined ? 0 : experience.variants.findIndex((v) => v.name === body.variant);
      if (index < 0)
        throw new RequestError(
          'INVALID_BODY',
          `the experience has no variant "${body.variant}"`,
          {},
          '/variant',
        );
      let url: URL;
      try {
        url = new URL(body.url);
      } catch {
        throw new RequestError(
          'INVALID_BODY',
          'url must be an absolute http(s) URL of your site',
          {},
          '/url',
        );
      }
      const expiresAt = Date.now() + PREVIEW_TTL_MS;
      const token = signPreviewToken(project.identity_secret, experience.id, index, expiresAt);
      url.searchParams.set('acquaint_preview', token);
      return { url: url.toString(), token, expires_at: new Date(expiresAt).toISOString() };
    },
  );
}

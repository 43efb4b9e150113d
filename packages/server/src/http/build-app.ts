import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { type AcquaintConfig, loadConfig } from '../config.js';
import { RequestError } from '../errors/error-codes.js';
import { createIngestion, type Ingestion } from '../ingestion/ingestion.js';
import type { Store } from '../storage/store.js';
import type { AppContext } from './app-context.js';
import { Authenticator } from './authenticate.js';
import { registerBodyParsing } from './body-parsing.js';
import { registerBodyTimeouts } from './body-timeouts.js';
import { registerErrorHandling } from './error-handler.js';
import { openApiOptions, registerSharedSchemas } from './openapi.js';
import { RateLimiter } from './rate-limiter.js';
import { registerResponseHeaders } from './response-headers.js';
import { adminRoutes } from './routes/admin-routes.js';
import { attributeRoutes } from './routes/attribute-routes.js';
import { importRoutes } from './routes/import-routes.js';
import { INGESTION_STATUS_PATH, ingestionRoutes } from './routes/ingestion-routes.js';
import { keyRoutes } from './routes/key-routes.js';
import { profileUploadRoutes } from './routes/profile-upload-routes.js';
import { projectRoutes } from './routes/project-routes.js';
import sdkRoutes from './routes/sdk-routes.js';
import { statsRoutes } from './routes/stats-routes.js';
import { trackingRoutes } from './routes/tracking-routes.js';
import { userRoutes } from './routes/user-routes.js';

export interface BuildAppOptions {
  store: Store;
  config?: Partial<AcquaintConfig>;
  /** Fastify's logger: off in tests, on when serving. */
  logger?: boolean;
}

/** The whole HTTP application, not yet listening (tests drive it with `inject()`). */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const config = loadConfig(options.config);
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: config.maxRequestBytes,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
    // Cast: Fastify's overloads take one kind at a time; hop counts and address lists work alike.
    trustProxy: config.trustProxy as boolean,
    // Errors raised before routing (a URL that is not valid percent-encoded UTF-8) in the usual shape.
    frameworkErrors: (error, _request, reply) => {
      void (reply as FastifyReply)
        .code(400)
        .send({ error: { code: 'INVALID_BODY', message: error.message } });
    },
  });
  // Response schemas document the API; answers are written as they are, never reshaped by them.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  const context: AppContext = {
    store: options.store,
    config,
    auth: new Authenticator(options.store, {
      tracking: new RateLimiter(config.rateLimitPerSecond, config.rateLimitBurst),
      apiKey: new RateLimiter(config.apiKeyRateLimitPerSecond, config.apiKeyRateLimitPerSecond * 2),
      failedKeys: new RateLimiter(
        config.failedKeyRateLimitPerSecond,
        config.failedKeyRateLimitPerSecond * 10,
      ),
    }),
    ingestion: await createIngestion(options.store, { log: config.ingestionLog, config }),
  };
  await registerResponseHeaders(app);
  registerBodyTimeouts(app, config);
  context.auth.register(app);
  app.decorate('ingestion', context.ingestion);
  app.addHook('onClose', () => context.ingestion.close());
  // Reads and changes through the API see every tracking message acknowledged before them.
  // A change (say an erasure) must not overtake them either: past the wait it is refused.
  // A route that only reads (a preview, a report) says so with `config: { readOnly: true }`.
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/') || request.url.startsWith(INGESTION_STATUS_PATH)) return;
    if ((await context.ingestion.settled()) || request.method === 'GET') return;
    if (request.routeOptions.config.readOnly === true) return;
    throw new RequestError(
      'INGESTION_BEHIND',
      'tracking messages sent before this request are still being applied; retry in a few seconds',
      { 'retry-after': String(Math.ceil(config.ingestionWaitMs / 1000)) },
    );
  });

  registerErrorHandling(app);
  registerBodyParsing(app);
  registerSharedSchemas(app);
  await app.register(swagger, openApiOptions);

  await app.register(trackingRoutes, { context });
  await app.register(userRoutes, { context });
  await app.register(attributeRoutes, { context });
  await app.register(statsRoutes, { context });
  await app.register(ingestionRoutes, { context });
  await app.register(adminRoutes, { context });
  await app.register(projectRoutes, { context });
  await app.register(profileUploadRoutes, { context });
  await app.register(importRoutes, { context });
  await app.register(keyRoutes, { context });
  await app.register(sdkRoutes);

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/health', { schema: { hide: true } }, async () => ({ ok: true, store: options.store.name }));
  return app;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route only reads, whatever its method: never refused as a change while ingestion is behind. */
    readOnly?: boolean;
  }
  interface FastifyInstance {
    /** How tracking messages reach the database; `settled()` waits for those acknowledged. */
    ingestion: Ingestion;
  }
}

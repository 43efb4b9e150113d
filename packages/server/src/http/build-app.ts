import { dirname } from 'node:path';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyReply, type RouteOptions } from 'fastify';
import { type AcquaintConfig, loadConfig } from '../config.js';
import { RequestError } from '../errors/error-codes.js';
import { createIngestion, type Ingestion } from '../ingestion/ingestion.js';
import { IngestionWarningRetention } from '../ingestion/ingestion-warning-retention.js';
import { Metrics } from '../operations/metrics.js';
import { operationsRoutes } from '../operations/operations-routes.js';
import { loggerOptions, observeRequests, requestIdOf } from '../operations/request-observation.js';
import { DecideDefinitions } from '../personalization/decide-definitions.js';
import { EventStorageMaintenance } from '../storage/event-partitions.js';
import type { Store } from '../storage/store.js';
import { DeliveryWorker } from '../webhooks/delivery-worker.js';
import { GroupWindowPass } from '../webhooks/group-window-pass.js';
import { SecretBox } from '../webhooks/secret-box.js';
import type { AppContext } from './app-context.js';
import { Authenticator } from './authenticate.js';
import { registerBodyParsing } from './body-parsing.js';
import { registerBodyTimeouts } from './body-timeouts.js';
import { registerErrorHandling } from './error-handler.js';
import { openApiOptions, registerSharedSchemas } from './openapi.js';
import { RateLimiter } from './rate-limiter.js';
import { registerResponseHeaders } from './response-headers.js';
import { accountRoutes } from './routes/account-routes.js';
import { adminRoutes } from './routes/admin-routes.js';
import { attributeRoutes } from './routes/attribute-routes.js';
import { dashboardRoutes } from './routes/dashboard-routes.js';
import { groupRoutes } from './routes/group-routes.js';
import { importRoutes } from './routes/import-routes.js';
import { INGESTION_STATUS_PATH, ingestionRoutes } from './routes/ingestion-routes.js';
import { keyRoutes } from './routes/key-routes.js';
import { personListRoutes } from './routes/person-list-routes.js';
import { personMembershipRoutes } from './routes/person-membership-routes.js';
import { personalizationRoutes } from './routes/personalization-routes.js';
import { profileUploadRoutes } from './routes/profile-upload-routes.js';
import { projectListRoutes } from './routes/project-list-routes.js';
import { projectRoutes } from './routes/project-routes.js';
import { reportRoutes } from './routes/report-routes.js';
import sdkRoutes from './routes/sdk-routes.js';
import { statsRoutes } from './routes/stats-routes.js';
import { teamRoutes } from './routes/team-routes.js';
import { trackingRoutes } from './routes/tracking-routes.js';
import { userRoutes } from './routes/user-routes.js';
import { webhookDeliveryRoutes } from './routes/webhook-delivery-routes.js';
import { webhookRoutes } from './routes/webhook-routes.js';

export interface BuildAppOptions {
  store: Store;
  config?: Partial<AcquaintConfig>;
  /** JSON logs (pino) at `config.logLevel`: off in tests, on when serving. */
  logger?: boolean;
  /** Hears of every route as it is added (tests take the app's route table from it). */
  onRoute?: (route: RouteOptions) => void;
}

/** The whole HTTP application, not yet listening (tests drive it with `inject()`). */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const config = loadConfig(options.config);
  const app = Fastify({
    logger: options.logger ? loggerOptions(config.logLevel) : false,
    genReqId: requestIdOf,
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

  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  const metrics = new Metrics();
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
    ingestion: await createIngestion(options.store, {
      log: config.ingestionLog,
      config,
      onApplied: (messages) => metrics.appliedMessages.inc(messages),
    }),
    metrics,
    webhooks: webhookDelivery(options.store, config, (error) =>
      app.log.error({ err: error }, 'webhook worker'),
    ),
    definitions: new DecideDefinitions(options.store),
  };
  app.addHook('onClose', () => context.definitions.close());
  const warningRetention = new IngestionWarningRetention(options.store, {
    retentionDays: config.ingestionWarningRetentionDays,
    onError: (error) => app.log.error({ err: error }, 'ingestion warning retention'),
  });
  warningRetention.start();
  app.addHook('onClose', () => warningRetention.stop());
  registerResponseHeaders(app);
  registerBodyTimeouts(app, config);
  context.auth.register(app);
  metrics.watchIngestion(() => context.ingestion.status());
  context.webhooks.worker.start();
  context.webhooks.groupPass.start();
  app.addHook('onClose', () => context.webhooks.worker.stop());
  app.addHook('onClose', () => context.webhooks.groupPass.stop());
  // Month partitions ahead (PostgreSQL) and the event retention (ACQUAINT_EVENT_RETENTION_MONTHS).
  const eventStorage = new EventStorageMaintenance(options.store, {
    retentionMonths: config.eventRetentionMonths,
    onError: (error) => app.log.error({ err: error }, 'event storage maintenance'),
  });
  eventStorage.start();
  app.addHook('onClose', () => eventStorage.stop());
  app.decorate('ingestion', context.ingestion);
  app.decorate('metrics', metrics);
  observeRequests(app, metrics);
  app.addHook('onClose', () => context.ingestion.close());
  // Reads and changes through the API see every tracking message acknowledged before them.
  // A change (say an erasure) must not overtake them either: past the wait it is refused.
  // A route that only reads (a preview, a report) says so with `config: { readOnly: true }`.
  // Callback-style: public routes (decide, tracking) pass at once, without a promise.
  app.addHook('onRequest', (request, _reply, done) => {
    if (!request.url.startsWith('/api/') || request.url.startsWith(INGESTION_STATUS_PATH)) {
      done();
      return;
    }
    context.ingestion.settled().then((settled) => {
      if (settled || request.method === 'GET' || request.routeOptions.config.readOnly === true) {
        done();
        return;
      }
      done(
        new RequestError(
          'INGESTION_BEHIND',
          'tracking messages sent before this request are still being applied; retry in a few seconds',
          { 'retry-after': String(Math.ceil(config.ingestionWaitMs / 1000)) },
        ),
      );
    }, done);
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
  await app.register(reportRoutes, { context });
  await app.register(personalizationRoutes, { context });
  await app.register(webhookRoutes, { context });
  await app.register(webhookDeliveryRoutes, { context });
  await app.register(groupRoutes, { context });
  await app.register(sdkRoutes);
  await app.register(accountRoutes, { context });
  await app.register(teamRoutes, { context });
  await app.register(projectListRoutes, { context });
  await app.register(personListRoutes, { context });
  await app.register(personMembershipRoutes, { context });
  await app.register(dashboardRoutes);
  await app.register(operationsRoutes, { context });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

/**
 * The secret box and the delivery worker of this process. Signing secrets are sealed with
 * `ACQUAINT_SECRET_KEY`, else the key file beside the SQLite database (or in `ACQUAINT_DATA_DIR`,
 * default `./data`, on PostgreSQL); an in-memory database keeps its key in memory.
 */
function webhookDelivery(store: Store, config: AcquaintConfig, onError: (error: unknown) => void) {
  const dataDir = store.file
    ? dirname(store.file)
    : store.name === 'postgres'
      ? (process.env.ACQUAINT_DATA_DIR ?? './data')
      : undefined;
  const secrets = SecretBox.fromEnvironment({ dataDir });
  const worker = new DeliveryWorker(store, secrets, {
    timeoutMs: config.webhookTimeoutMs,
    retryBaseMs: config.webhookRetryBaseMs,
    pollMs: config.webhookPollMs,
    allowPrivate: config.webhooksAllowPrivate,
    retentionDays: config.webhookRetentionDays,
    onError,
  });
  const groupPass = new GroupWindowPass(store, { intervalMs: config.webhookGroupPassMs, onError });
  return { secrets, worker, groupPass };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route only reads, whatever its method: never refused as a change while ingestion is behind. */
    readOnly?: boolean;
  }
  interface FastifyInstance {
    /** How tracking messages reach the database; `settled()` waits for those acknowledged. */
    ingestion: Ingestion;
    /** The Prometheus metrics served at `/metrics`. */
    metrics: Metrics;
  }
}

import type { FastifyInstance, RouteOptions } from 'fastify';
import type { AcquaintConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/build-app.js';
import { createProject } from '../../src/projects/create-project.js';
import type { Store } from '../../src/storage/store.js';
import { deleteTestStream } from './test-nats.js';
import { type Backend, natsUrl, openTestStore } from './test-stores.js';

export interface TestServer {
  /** Base URL when listening (`listen: true`), else empty. */
  url: string;
  app: FastifyInstance;
  store: Store;
  projectId: string;
  writeKey: string;
  apiKey: string;
  identitySecret: string;
  /** Waits until every tracking message acknowledged so far is applied (reads of `store` see them). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real Acquaint app on a fresh database with one project. With `listen` (the default) it serves
 * HTTP on 127.0.0.1 on a free port; without, tests drive it with `app.inject()`.
 */
export async function startTestServer(
  options: {
    backend?: Backend;
    listen?: boolean;
    config?: Partial<AcquaintConfig>;
    /** Called for each route as it is added (Fastify's onRoute): the app's own route table. */
    onRoute?: (route: RouteOptions) => void;
    /** Build the database only up to this migration (an earlier version, for upgrade tests). */
    migrateUpTo?: string;
  } = {},
): Promise<TestServer> {
  const { store, cleanup } = await openTestStore(options.backend ?? 'sqlite', {
    migrateUpTo: options.migrateUpTo,
  });
  const project = await createProject(store, 'Test site');
  const config =
    options.backend === 'postgres-jetstream' ? { queue: natsUrl, ...options.config } : options.config;
  const app = await buildApp({ store, config, onRoute: options.onRoute });
  let url = '';
  if (options.listen ?? true) url = await app.listen({ port: 0, host: '127.0.0.1' });
  else await app.ready();
  return {
    url,
    app,
    store,
    projectId: project.project_id,
    writeKey: project.write_key,
    apiKey: project.api_key,
    identitySecret: project.identity_secret,
    settled: async () => {
      await app.ingestion.settled();
    },
    async close() {
      await app.close();
      if (options.backend === 'postgres-jetstream') await deleteTestStream(store);
      await cleanup();
    },
  };
}

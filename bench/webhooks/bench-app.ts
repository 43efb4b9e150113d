import { buildApp } from '../../packages/server/src/http/build-app.js';
import { createProject } from '../../packages/server/src/projects/create-project.js';
import { openStore } from '../../packages/server/src/storage/store.js';
import { createBenchDatabase } from '../support/dataset-database.js';

/** A fresh database and an in-process server on it, with one project; `close` drops them. */
export async function openWebhookBench(backend: string, prefix: string, postgresUrl: string) {
  const database = await createBenchDatabase(backend, prefix, postgresUrl);
  const store = openStore(database.location);
  await store.migrate();
  const project = await createProject(store, 'bench');
  const app = await buildApp({
    store,
    // The bodies are injected from memory: a body timeout would only measure this busy process.
    config: { webhooksAllowPrivate: true, webhookPollMs: 50, logLevel: 'warn', bodyTimeoutMs: 600_000 },
  });
  await app.ready();
  const auth = { authorization: `Bearer ${project.api_key}` };
  /** The dynamic group `plan eq diamond`; with `receiverUrl`, a subscription to its group.entered. */
  const watchDiamonds = async (receiverUrl: string | null) => {
    const group = await app.inject({
      method: 'POST',
      url: '/api/groups',
      headers: auth,
      payload: { name: 'Diamond', condition: { attr: 'plan', op: 'eq', value: 'diamond' } },
    });
    if (receiverUrl === null) return;
    const subscription = await app.inject({
      method: 'POST',
      url: '/api/webhooks',
      headers: auth,
      payload: { url: receiverUrl, events: ['group.entered'], group_ids: [group.json().id] },
    });
    if (subscription.statusCode !== 201) throw new Error(`subscription: ${subscription.body}`);
  };
  const close = async () => {
    await app.close();
    await store.close();
    await database.drop();
  };
  return { database, app, auth, watchDiamonds, close };
}

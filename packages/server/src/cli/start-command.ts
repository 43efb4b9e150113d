import { issueSetupToken } from '../accounts/first-run-setup.js';
import { loadConfig } from '../config.js';
import { buildApp } from '../http/build-app.js';
import { GracefulShutdown } from '../operations/graceful-shutdown.js';
import { createProject } from '../projects/create-project.js';
import { listProjects } from '../storage/project-repository.js';
import { openStore } from '../storage/store.js';

/**
 * `acquaint start`: migrate, make a first project on an empty database, serve until SIGTERM or
 * SIGINT, then finish the requests in flight and close the database within
 * `ACQUAINT_SHUTDOWN_TIMEOUT_MS` (see GracefulShutdown).
 */
export async function runStart(options: { location: string; port: number; host: string }): Promise<number> {
  const store = openStore(options.location);
  await store.migrate();
  if ((await listProjects(store.db)).length === 0) {
    const project = await createProject(store, 'My website');
    process.stdout.write(
      [
        'Created a first project. Keep the API key: it is shown only now.',
        `  project id: ${project.project_id}`,
        `  write key:  ${project.write_key}`,
        `  API key:    ${project.api_key}`,
        '',
      ].join('\n'),
    );
  }
  const app = await buildApp({ store, logger: true });
  const address = await app.listen({ port: options.port, host: options.host });
  process.stdout.write(
    `Acquaint is listening on ${address} (${store.name}); API docs at ${address}/openapi.json\n`,
  );
  const setupToken = await issueSetupToken(store);
  const local = address.replace('://0.0.0.0:', '://localhost:').replace('://[::]:', '://localhost:');
  process.stdout.write(
    setupToken
      ? `Dashboard: open ${local}/setup?token=${setupToken} to create the owner account (this link works once).\n`
      : `Dashboard: ${local}/\n`,
  );

  // A log reader that goes away (a closed pipe: EPIPE) must not stop the server nor its shutdown:
  // unhandled, the stream's error was an uncaught exception that forced an exit in the middle of
  // the orderly stop, and that exit hung (found by a benchmark whose reader had closed).
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
  const shutdown = new GracefulShutdown(
    app.log,
    async () => {
      await app.close();
      await store.close();
    },
    loadConfig().shutdownTimeoutMs,
  ).install();
  for (const signal of ['SIGTERM', 'SIGINT'])
    process.once(signal, () => process.stdout.write(`${signal} received; shutting down\n`));
  return shutdown.finished();
}

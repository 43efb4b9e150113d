import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread on an ordinary module, named by its built URL (`new URL('./x-worker.js',
 * import.meta.url)`). From `dist` (`acquaint start`) that file exists and runs as it is. Run from the
 * TypeScript sources (Vitest, tsx), only `x-worker.ts` exists, and a worker does not inherit the
 * TypeScript loader: it first registers tsx, then imports the same module.
 */
export function startModuleWorker(builtUrl: URL, options: WorkerOptions = {}): Worker {
  if (existsSync(fileURLToPath(builtUrl))) return new Worker(builtUrl, options);
  const source = new URL(builtUrl.href.replace(/\.js$/, '.ts'));
  if (!existsSync(fileURLToPath(source)))
    throw new Error(`worker module missing: neither ${builtUrl.pathname} nor its .ts source`);
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(
    /\.cjs$/,
    '.mjs',
  );
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(source.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}

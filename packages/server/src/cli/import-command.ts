import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { ProgressBar } from './progress-bar.js';

export interface ImportCommandOptions {
  file: string;
  url: string;
  apiKey: string;
  dryRun: boolean;
  encoding?: string;
  delimiter?: string;
  /** Id of an interrupted job to resume with the same file. */
  resume?: string;
}

/** The parts of a job the command shows. */
interface JobView {
  id: string;
  status: string;
  progress: { rows: number };
  counts: Record<string, number>;
  error: { code: string; message: string } | null;
  errors: { row: number; user_id: string | null; field: string | null; code: string; message: string }[];
  errors_total: number;
  errors_csv: string;
}

const POLL_MS = 500;

/**
 * `acquaint import FILE`: sends a CSV file to a server's import API, showing progress.
 * strategy: create a pending job (or take the interrupted one named by --resume), stream the
 * file to it while counting the bytes sent, poll the job for the rows written, and print a
 * summary. Exit code 0 when the job completed, 1 otherwise.
 */
export async function runImport(options: ImportCommandOptions): Promise<number> {
  const size = statSync(options.file).size;
  const base = options.url.replace(/\/+$/, '');
  const headers = { authorization: `Bearer ${options.apiKey}` };
  const call = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${base}${path}`, { ...init, headers: { ...headers, ...init.headers } });
    const body = (await response.json()) as JobView & {
      job?: JobView;
      error?: { code: string; message: string };
    };
    return { status: response.status, body };
  };

  let jobId = options.resume;
  if (!jobId) {
    const created = await call('/api/imports', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ file_name: basename(options.file), size_bytes: size, dry_run: options.dryRun }),
    });
    if (created.status !== 201)
      return fail(`could not create the import job: ${created.body.error?.message}`);
    jobId = created.body.id;
  }

  const started = Date.now();
  let sent = 0;
  let rows = 0;
  const bar = new ProgressBar(process.stderr);
  const show = () => {
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(rows / seconds) : 0;
    bar.update(
      size ? sent / size : null,
      `${mb(sent)}/${mb(size)} MB  ${rows.toLocaleString('en')} rows  ${rate.toLocaleString('en')} rows/s`,
    );
  };
  const poller = setInterval(() => {
    void call(`/api/imports/${jobId}`)
      .then(({ body }) => {
        rows = body.progress?.rows ?? rows;
      })
      .catch(() => {});
    show();
  }, POLL_MS);

  const file = createReadStream(options.file, { highWaterMark: 1 << 20 });
  file.on('data', (chunk) => {
    sent += chunk.length;
  });
  const query = new URLSearchParams();
  if (options.encoding) query.set('encoding', options.encoding);
  if (options.delimiter) query.set('delimiter', options.delimiter);
  let answer: Awaited<ReturnType<typeof call>>;
  try {
    answer = await call(`/api/imports/${jobId}/file?${query}`, {
      method: 'PUT',
      headers: { 'content-type': 'text/csv' },
      body: Readable.toWeb(file) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
  } finally {
    clearInterval(poller);
  }
  const job = answer.body.job ?? answer.body;
  rows = job.progress?.rows ?? rows;
  show();
  bar.done();
  if (!job.id) return fail(answer.body.error?.message ?? `the server answered ${answer.status}`);
  printSummary(job, (Date.now() - started) / 1000, base);
  return job.status === 'completed' ? 0 : 1;
}

function printSummary(job: JobView, seconds: number, base: string): void {
  const c = job.counts;
  const lines = [
    `Import ${job.id}: ${job.status} in ${seconds.toFixed(1)} s (${Math.round(job.progress.rows / Math.max(seconds, 0.001)).toLocaleString('en')} rows/s)`,
    `  rows ${c.received}: created ${c.created}, updated ${c.updated}, unchanged ${c.unchanged}, failed ${c.failed}, duplicate ids ${c.duplicates}`,
  ];
  if (job.error) lines.push(`  ${job.error.code}: ${job.error.message}`);
  for (const e of job.errors.slice(0, 10))
    lines.push(
      `  row ${e.row}${e.user_id ? ` (${e.user_id})` : ''}${e.field ? ` ${e.field}` : ''}: ${e.code} ${e.message}`,
    );
  if (job.errors_total > 0) lines.push(`  all ${job.errors_total} problems: ${base}${job.errors_csv}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

function fail(message: string): number {
  process.stderr.write(`acquaint import: ${message}\n`);
  return 1;
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

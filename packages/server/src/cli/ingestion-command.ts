import type { FailedEntry } from '../ingestion/ingestion.js';

export interface IngestionCommandOptions {
  /** `failed` lists the set-aside entries; `replay` applies one again. */
  action: string;
  /** The entry id for `replay`. */
  id?: string;
  url: string;
  apiKey: string;
  json: boolean;
}

/**
 * `acquaint ingestion failed` lists the tracking requests the ingestion log set aside (every page);
 * `acquaint ingestion replay ID` applies one again, through a server's API. Exit code 0 on
 * success, 1 when the server refused, 2 for a wrong command line.
 */
export async function runIngestion(options: IngestionCommandOptions): Promise<number> {
  const base = options.url.replace(/\/+$/, '');
  const call = async (path: string, method = 'GET') => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${options.apiKey}` },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const refused = (body: Record<string, unknown>) => {
    const error = body.error as { code: string; message: string } | undefined;
    process.stderr.write(`acquaint ingestion: ${error?.code}: ${error?.message}\n`);
    return 1;
  };

  if (options.action === 'failed') {
    const entries: FailedEntry[] = [];
    for (let cursor: string | null = ''; cursor !== null; ) {
      const page = await call(`/api/ingestion/failed?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
      if (page.status !== 200) return refused(page.body);
      entries.push(...(page.body.failed as FailedEntry[]));
      cursor = page.body.next_cursor as string | null;
    }
    if (options.json) process.stdout.write(`${JSON.stringify(entries)}\n`);
    else if (entries.length === 0) process.stdout.write('No set-aside ingestion entries.\n');
    else
      for (const e of entries)
        process.stdout.write(`${e.id}\t${e.received_at}\t${e.messages ?? '?'} messages\t${e.error}\n`);
    return 0;
  }
  if (options.action === 'replay') {
    if (!options.id || !/^\d+$/.test(options.id)) {
      process.stderr.write(
        'acquaint ingestion replay: give the entry ID (from "acquaint ingestion failed")\n',
      );
      return 2;
    }
    const replayed = await call(`/api/ingestion/failed/${options.id}/replay`, 'POST');
    if (replayed.status !== 200) return refused(replayed.body);
    if (options.json) process.stdout.write(`${JSON.stringify(replayed.body)}\n`);
    else process.stdout.write(`Entry ${options.id} applied: ${replayed.body.applied} messages.\n`);
    return 0;
  }
  process.stderr.write('acquaint ingestion: use "failed" or "replay ID"\n');
  return 2;
}

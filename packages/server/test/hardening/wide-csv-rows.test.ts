import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvTokenizer } from '../../src/imports/csv-tokenizer.js';
import { CLI, type CliServer, startCliServer, stopCliServer } from '../support/cli-server.js';

/**
 * A header, one good row, then 120 rows of a million commas each: about 120 KB of gzip, made of
 * gzip members (inflated in turn as one stream), so it is quick to build.
 */
function wideCsv(): Buffer {
  const wideRow = gzipSync(`user-wide${','.repeat(1_000_000)}\n`, { level: 9 });
  return Buffer.concat([gzipSync('user_id,plan\nuser-42,pro\n'), ...Array<Buffer>(120).fill(wideRow)]);
}

describe('an import of rows a million cells wide (issue 11, defect 2)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'acquaint-wide-'));
  let server: CliServer | undefined;
  let apiKey = '';

  beforeAll(async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      CLI,
      'init',
      '--json',
      '--data-dir',
      dir,
    ]);
    apiKey = JSON.parse(stdout).api_key;
    // A small heap, as on a small host: holding the cells of the rows would run it out.
    server = await startCliServer(['--data-dir', dir], { NODE_OPTIONS: '--max-old-space-size=160' });
  });
  afterAll(async () => {
    await stopCliServer(server);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports each too-wide row and imports the rest, within a small heap', async () => {
    const body = wideCsv();
    expect(body.length).toBeLessThan(130_000);
    const response = await fetch(`${server?.url}/api/imports`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'text/csv',
        'content-encoding': 'gzip',
      },
      body: new Uint8Array(body),
    });
    expect(server?.child.exitCode).toBeNull();
    const job = (await response.json()) as {
      status: string;
      progress: { rows: number };
      counts: { received: number; failed: number; created: number };
      errors: { row: number; code: string; message: string }[];
      errors_total: number;
    };
    expect(response.status).toBe(200);
    expect(job.status).toBe('completed');
    expect(job.progress.rows).toBe(121);
    expect(job.counts).toMatchObject({ received: 121, failed: 120, created: 1 });
    expect(job.errors_total).toBe(120);
    expect(job.errors[0]).toMatchObject({
      row: 3,
      code: 'RAGGED_ROW',
      message: 'the row has more than 200 cells but the header has 2',
    });
  }, 60_000);

  it('keeps one cell past the limit of a too-wide record, quoted or not', () => {
    const tokenizer = new CsvTokenizer(',', 3);
    expect(tokenizer.push('a,b\n1,2,3,4,5,6\n"x","y","z","w","v"\n')).toEqual([
      ['a', 'b'],
      ['1', '2', '3', '4'],
      ['x', 'y', 'z', 'w'],
    ]);
  });
});

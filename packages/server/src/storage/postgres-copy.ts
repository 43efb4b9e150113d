import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** Text handed to the COPY stream at a time: rows are turned into text a slice at a time. */
const COPY_SLICE_CHARS = 64 * 1024;

/** A value of one COPY field: null, a string, or a number (written as JavaScript prints it). */
export type CopyField = string | number | null;

/**
 * Streams `count` rows into `COPY table (columns) FROM STDIN` (text format) on the transaction's
 * client. `row(i, fields)` fills `fields` (reused, one slot per column) with row i. Rows are
 * encoded a slice at a time, so the chunk is never held twice as text.
 */
export async function copyRows(
  client: pg.PoolClient,
  table: string,
  columns: readonly string[],
  count: number,
  row: (i: number, fields: CopyField[]) => void,
): Promise<void> {
  if (count === 0) return;
  const stream = client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin`));
  await pipeline(Readable.from(copyText(columns.length, count, row)), stream);
}

function* copyText(width: number, count: number, row: (i: number, fields: CopyField[]) => void) {
  const fields = new Array<CopyField>(width).fill(null);
  let text = '';
  for (let i = 0; i < count; i++) {
    row(i, fields);
    for (let f = 0; f < width; f++) {
      if (f > 0) text += '\t';
      text += copyField(fields[f]);
    }
    text += '\n';
    if (text.length >= COPY_SLICE_CHARS) {
      yield text;
      text = '';
    }
  }
  if (text.length > 0) yield text;
}

/** Characters COPY's text format gives a meaning to: its escape, field and row separators. */
const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One field in COPY's text format: `\N` for null, the special characters backslash-escaped. */
export function copyField(value: CopyField): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  return COPY_SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]) : value;
}

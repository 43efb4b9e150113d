import { isUtf8 } from 'node:buffer';
import { scoreLegacyEncodings } from './legacy-encoding-score.js';

/** The text encodings a CSV file may be in, by the names a job reports. */
export const CSV_ENCODINGS = ['utf-8', 'shift_jis', 'windows-1252', 'utf-16le', 'utf-16be'] as const;
export type CsvEncoding = (typeof CSV_ENCODINGS)[number];

/** Names owners may give for an encoding (Excel's and Windows' names included). */
const ENCODING_ALIASES: Record<string, CsvEncoding> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'utf-8-bom': 'utf-8',
  shift_jis: 'shift_jis',
  'shift-jis': 'shift_jis',
  sjis: 'shift_jis',
  cp932: 'shift_jis',
  'windows-31j': 'shift_jis',
  ms932: 'shift_jis',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  // As browsers do (WHATWG Encoding): a file called Latin-1 is read as its superset, Windows-1252.
  'iso-8859-1': 'windows-1252',
  latin1: 'windows-1252',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
};

export type EncodingResult =
  | { ok: true; encoding: CsvEncoding }
  | { ok: false; code: 'NOT_CSV' | 'UNKNOWN_ENCODING'; message: string };

/** The encoding an owner named, or a refusal listing the names understood. */
export function namedEncoding(name: string): EncodingResult {
  const encoding = ENCODING_ALIASES[name.trim().toLowerCase()];
  if (encoding) return { ok: true, encoding };
  return {
    ok: false,
    code: 'UNKNOWN_ENCODING',
    message: `encoding "${name}" is not supported; use utf-8, shift_jis (cp932), windows-1252, utf-16le or utf-16be`,
  };
}

/** Signatures of files that are often uploaded by mistake instead of a CSV export. */
const NOT_CSV_SIGNATURES: [number[], string][] = [
  [[0x50, 0x4b, 0x03, 0x04], 'an Excel workbook or other zip file; save it as CSV first'],
  [[0xd0, 0xcf, 0x11, 0xe0], 'an old Excel (.xls) workbook; save it as CSV first'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0x1f, 0x8b], 'a gzip file; send it with Content-Encoding: gzip, or unpack it'],
];

/**
 * Works out the encoding from the first bytes of a file.
 * strategy: a byte-order mark decides (UTF-8, UTF-16); known binary signatures and NUL bytes mean
 * it is not text; else the lines with bytes above ASCII are checked: when at least half of them
 * are valid UTF-8 the file is UTF-8 (an all-ASCII sample too). Lines that are not UTF-8 are Shift_JIS (CP932, as Excel in Japan saves CSV) or Windows-1252 (Excel in
 * Western Europe and the Americas): the two are scored by how plausible their text is
 * (`scoreLegacyEncodings`), never chosen blindly. Later bytes are checked as they are read.
 */
export function detectEncoding(head: Uint8Array): EncodingResult {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { ok: true, encoding: 'utf-8' };
  if (head[0] === 0xff && head[1] === 0xfe) return { ok: true, encoding: 'utf-16le' };
  if (head[0] === 0xfe && head[1] === 0xff) return { ok: true, encoding: 'utf-16be' };
  for (const [signature, what] of NOT_CSV_SIGNATURES) {
    if (signature.every((byte, i) => head[i] === byte))
      return { ok: false, code: 'NOT_CSV', message: `the file is not CSV text: it looks like ${what}` };
  }
  const nul = head.indexOf(0);
  if (nul >= 0) {
    return {
      ok: false,
      code: 'NOT_CSV',
      message: `the file is not CSV text: it holds binary data (a NUL byte at byte ${nul + 1})`,
    };
  }
  const lines = linesWithHighBytes(head);
  const utf8 = lines.filter((line) => isUtf8(line));
  // A file mostly in UTF-8 with a few rows saved otherwise is UTF-8: those rows are refused by row.
  if (utf8.length >= lines.length - utf8.length) return { ok: true, encoding: 'utf-8' };
  return { ok: true, encoding: scoreLegacyEncodings(Buffer.concat(lines.filter((line) => !isUtf8(line)))) };
}

/**
 * The lines of a sample that hold bytes above ASCII. The last line is left out when the sample
 * cuts it (it may end inside a character), unless it is the only one.
 */
function linesWithHighBytes(head: Uint8Array): Buffer[] {
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  const lines: Buffer[] = [];
  let start = 0;
  while (start < bytes.length) {
    const newline = bytes.indexOf(0x0a, start);
    if (newline < 0 && lines.length > 0) break;
    const end = newline < 0 ? bytes.length : newline + 1;
    const line = bytes.subarray(start, end);
    if (line.some((byte) => byte >= 0x80)) lines.push(line);
    start = end;
  }
  return lines;
}

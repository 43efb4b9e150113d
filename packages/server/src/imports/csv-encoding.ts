/** The text encodings a CSV file may be in, by the names a job reports. */
export const CSV_ENCODINGS = ['utf-8', 'shift_jis', 'utf-16le', 'utf-16be'] as const;
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
    message: `encoding "${name}" is not supported; use utf-8 or shift_jis (cp932)`,
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
 * it is not text; else the bytes are UTF-8 when they decode as UTF-8 (ASCII included), and
 * Shift_JIS (CP932, as Excel in Japan saves CSV) when they do not.
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
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return { ok: true, encoding: 'utf-8' };
  } catch {
    return { ok: true, encoding: 'shift_jis' };
  }
}

/** A strict decoder: bytes that are not valid in the encoding are an error, never replaced silently. */
export function decoderFor(encoding: CsvEncoding): TextDecoder {
  return new TextDecoder(encoding, { fatal: true });
}

import { detectDelimiter, namedDelimiter } from './csv-dialect.js';
import { type CsvEncoding, detectEncoding, namedEncoding } from './csv-encoding.js';
import { CsvTextDecoder, type DecodeProblem } from './csv-text-decoder.js';
import { CsvTokenizer } from './csv-tokenizer.js';

/** Bytes looked at before the encoding is decided. */
const SNIFF_BYTES = 64 * 1024;
/** Bytes gathered at most while they are all ASCII, waiting for one that tells the encoding. */
const MAX_SNIFF_BYTES = 1024 * 1024;

export interface CsvReadOptions {
  /** Encoding named by the owner; detected when absent. */
  encoding?: string;
  /** Delimiter named by the owner (`comma`, `tab`, `semicolon`); detected when absent. */
  delimiter?: string;
  /** Cells kept of a record: a wider one is cut to `maxCells + 1` (default: all). */
  maxCells?: number;
}

/** What reading a CSV stream yields: the dialect once, then records as bytes arrive, or a problem. */
export type CsvReadEvent =
  | { kind: 'dialect'; encoding: CsvEncoding; detected: boolean; delimiter: string }
  | { kind: 'records'; records: string[][]; bytesRead: number }
  | { kind: 'problem'; code: CsvProblemCode; message: string; bytesRead: number };

export type CsvProblemCode =
  | 'NOT_CSV'
  | 'UNKNOWN_ENCODING'
  | 'INVALID_ENCODING'
  | 'UNTERMINATED_QUOTE'
  | 'RECORD_TOO_LONG'
  | 'INVALID_DELIMITER';

/**
 * Reads CSV records from a byte stream without holding it whole.
 * strategy: gather the first 64 KiB (up to 1 MiB while it is all ASCII) to decide the encoding
 * (or take the named one) and the delimiter (from the header line); then decode each piece
 * strictly, line by line (`CsvTextDecoder`: a line with bytes not valid in the encoding reads with
 * `UNDECODABLE` in it, for the caller to refuse that row), and tokenize it. Every yield reports the bytes read so far, so a
 * caller can show progress and record how far committed rows reach into the file.
 */
export async function* readCsvRecords(
  input: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: CsvReadOptions = {},
): AsyncGenerator<CsvReadEvent> {
  let bytesRead = 0;
  let head: Buffer[] = [];
  let headBytes = 0;
  let headAscii = true;
  let reader: { decoder: CsvTextDecoder; tokenizer: CsvTokenizer } | null = null;

  const tokenize = function* (tokenizer: CsvTokenizer, text: string): Generator<CsvReadEvent, boolean> {
    const records = tokenizer.push(text);
    if (!Array.isArray(records)) {
      yield { kind: 'problem', ...records, bytesRead };
      return false;
    }
    if (records.length > 0) yield { kind: 'records', records, bytesRead };
    return true;
  };

  const start = function* (bytes: Buffer, atEnd: boolean): Generator<CsvReadEvent, typeof reader> {
    const encoding = options.encoding ? namedEncoding(options.encoding) : detectEncoding(bytes);
    if (!encoding.ok) {
      yield { kind: 'problem', code: encoding.code, message: encoding.message, bytesRead };
      return null;
    }
    const detected = !options.encoding;
    const decoder = new CsvTextDecoder(encoding.encoding, detected);
    const text = joinText(decoder.push(bytes), atEnd ? decoder.end() : '');
    if (typeof text !== 'string') {
      yield { ...text, bytesRead };
      return null;
    }
    const delimiter = options.delimiter
      ? namedDelimiter(options.delimiter)
      : detectDelimiter(firstLine(text));
    if (delimiter === null) {
      yield {
        kind: 'problem',
        code: 'INVALID_DELIMITER',
        message: `delimiter "${options.delimiter}" is not supported; use comma, tab or semicolon`,
        bytesRead,
      };
      return null;
    }
    yield { kind: 'dialect', encoding: encoding.encoding, detected, delimiter };
    const tokenizer = new CsvTokenizer(delimiter, options.maxCells);
    return (yield* tokenize(tokenizer, text)) ? { decoder, tokenizer } : null;
  };

  for await (const piece of input) {
    const bytes = Buffer.isBuffer(piece) ? piece : Buffer.from(piece);
    bytesRead += bytes.length;
    if (reader === null) {
      head.push(bytes);
      headBytes += bytes.length;
      headAscii &&= isAscii(bytes);
      if (headBytes < SNIFF_BYTES || (headAscii && headBytes < MAX_SNIFF_BYTES)) continue;
      reader = yield* start(Buffer.concat(head), false);
      head = [];
      if (reader === null) return;
      continue;
    }
    const text = reader.decoder.push(bytes);
    if (typeof text !== 'string') {
      yield { ...text, bytesRead };
      return;
    }
    if (!(yield* tokenize(reader.tokenizer, text))) return;
  }
  if (reader === null) {
    if (headBytes === 0) return;
    reader = yield* start(Buffer.concat(head), true);
    if (reader === null) return;
  }
  const rest = reader.decoder.end();
  if (typeof rest !== 'string') {
    yield { ...rest, bytesRead };
    return;
  }
  if (!(yield* tokenize(reader.tokenizer, rest))) return;
  const last = reader.tokenizer.end();
  if (!Array.isArray(last)) yield { kind: 'problem', ...last, bytesRead };
  else if (last.length > 0) yield { kind: 'records', records: last, bytesRead };
}

function joinText(first: string | DecodeProblem, second: string | DecodeProblem): string | DecodeProblem {
  if (typeof first !== 'string') return first;
  if (typeof second !== 'string') return second;
  return first + second;
}

function isAscii(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte >= 0x80) return false;
  return true;
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end < 0 ? text : text.slice(0, end);
}

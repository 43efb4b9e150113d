import { isUtf8 } from 'node:buffer';
import type { CsvEncoding } from './csv-encoding.js';
import { MAX_RECORD_CHARS } from './csv-tokenizer.js';
import { decodeWindows1252 } from './windows-1252.js';

/**
 * Marks text that came from bytes not valid in the file's encoding. A record holding it is refused
 * by row (`INVALID_ENCODING`), never imported as mojibake.
 */
export const UNDECODABLE = '\uFFFD';

export type DecodeProblem = {
  kind: 'problem';
  code: 'INVALID_ENCODING' | 'RECORD_TOO_LONG';
  message: string;
};

/** Bytes of a line kept waiting for its end before the line is refused as too long. */
const MAX_LINE_BYTES = MAX_RECORD_CHARS * 4;

/**
 * Decodes a CSV byte stream line by line, strictly, so that bad bytes spoil only their own line.
 * strategy: in the byte-wise encodings (UTF-8, Shift_JIS, Windows-1252) byte 0x0A is always a line
 * end, never part of a character, so each piece is cut after its last 0x0A and what precedes is
 * decoded whole (fast path). When that fails, its lines are decoded one by one and a line with
 * bytes not valid in the encoding reads with `UNDECODABLE` in place of them. In a file whose
 * legacy encoding was detected, a line that is valid UTF-8 with non-ASCII bytes is marked too: the
 * file mixes encodings, and reading that line as Shift_JIS or Windows-1252 would garble it.
 * UTF-16 files are decoded as a stream; a bad byte there stops the file.
 */
export class CsvTextDecoder {
  private carry: Buffer = Buffer.alloc(0);
  private atStart = true;
  private readonly strict: TextDecoder | WholeDecoder;
  private readonly lenient: TextDecoder | WholeDecoder;
  private readonly lineWise: boolean;
  private readonly checkForUtf8: boolean;

  constructor(
    readonly encoding: CsvEncoding,
    detected: boolean,
  ) {
    this.lineWise = encoding !== 'utf-16le' && encoding !== 'utf-16be';
    this.strict =
      encoding === 'windows-1252'
        ? windows1252(true)
        : new TextDecoder(encoding, { fatal: true, ignoreBOM: this.lineWise });
    this.lenient =
      encoding === 'windows-1252' ? windows1252(false) : new TextDecoder(encoding, { ignoreBOM: true });
    this.checkForUtf8 = detected && (encoding === 'shift_jis' || encoding === 'windows-1252');
  }

  /** Decodes a piece; text of a line not yet ended waits for the next piece. */
  push(bytes: Buffer): string | DecodeProblem {
    if (!this.lineWise) return this.decodeStream(bytes, true);
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, bytes]) : bytes;
    const cut = data.lastIndexOf(0x0a);
    if (cut < 0) {
      this.carry = data;
      if (data.length > MAX_LINE_BYTES) {
        return {
          kind: 'problem',
          code: 'RECORD_TOO_LONG',
          message: `a line is longer than ${MAX_LINE_BYTES} bytes`,
        };
      }
      return '';
    }
    this.carry = Buffer.from(data.subarray(cut + 1));
    return this.decodeLines(data.subarray(0, cut + 1));
  }

  /** Ends the stream: the text of a last line without a line end. */
  end(): string | DecodeProblem {
    if (!this.lineWise) return this.decodeStream(new Uint8Array(0), false);
    const rest = this.carry;
    this.carry = Buffer.alloc(0);
    return rest.length === 0 ? '' : this.decodeLines(rest);
  }

  private decodeStream(bytes: Uint8Array, stream: boolean): string | DecodeProblem {
    try {
      return this.strict.decode(bytes, { stream });
    } catch {
      return {
        kind: 'problem',
        code: 'INVALID_ENCODING',
        message: `the file has bytes that are not valid ${this.encoding}; save it as UTF-8, or pass its encoding in the \`encoding\` option`,
      };
    }
  }

  private decodeLines(bytes: Buffer): string {
    let lines = bytes;
    if (this.atStart) {
      this.atStart = false;
      if (this.encoding === 'utf-8' && lines[0] === 0xef && lines[1] === 0xbb && lines[2] === 0xbf) {
        lines = lines.subarray(3);
      }
    }
    if (!this.checkForUtf8) {
      try {
        return this.strict.decode(lines);
      } catch {
        // Some line is not valid: find it below.
      }
    }
    let text = '';
    let start = 0;
    while (start < lines.length) {
      const newline = lines.indexOf(0x0a, start);
      const end = newline < 0 ? lines.length : newline + 1;
      text += this.decodeLine(lines.subarray(start, end));
      start = end;
    }
    return text;
  }

  private decodeLine(line: Buffer): string {
    if (this.checkForUtf8 && hasHighBytes(line) && isUtf8(line))
      return markUndecodable(this.lenient.decode(line));
    try {
      return this.strict.decode(line);
    } catch {
      return markUndecodable(this.lenient.decode(line));
    }
  }
}

/** A decoder of whole lines (no state between calls), as TextDecoder is used here. */
interface WholeDecoder {
  decode(bytes: Uint8Array, options?: { stream: boolean }): string;
}

function windows1252(fatal: boolean): WholeDecoder {
  return { decode: (bytes) => decodeWindows1252(bytes, fatal) };
}

function hasHighBytes(line: Buffer): boolean {
  for (const byte of line) if (byte >= 0x80) return true;
  return false;
}

/** Text of a line that must not be imported: guaranteed to hold `UNDECODABLE`, delimiters kept. */
function markUndecodable(text: string): string {
  return text.includes(UNDECODABLE) ? text : text.replace(/[\u0080-\uffff]/g, UNDECODABLE);
}

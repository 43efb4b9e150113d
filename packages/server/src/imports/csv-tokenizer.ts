/** A record longer than this is refused: it is a quote left open, not data (values are ≤ 4,096 characters). */
export const MAX_RECORD_CHARS = 4 * 1024 * 1024;

export type TokenizerProblem = { code: 'UNTERMINATED_QUOTE' | 'RECORD_TOO_LONG'; message: string };

/**
 * Splits CSV text, fed in pieces as it is decoded, into records of cells (RFC 4180: quoted
 * fields with `""` escapes and embedded newlines; LF or CRLF line ends; the delimiter given).
 * A record of more than `maxCells` cells keeps only its first `maxCells + 1`: enough to know it is
 * too wide, without holding a million empty cells of a line of commas.
 */
export class CsvTokenizer {
  private pending = '';
  private readonly splitLimit: number | undefined;

  constructor(
    private readonly delimiter: string,
    private readonly maxCells = Number.POSITIVE_INFINITY,
  ) {
    this.splitLimit = Number.isFinite(maxCells) ? maxCells + 1 : undefined;
  }

  /**
   * Adds text; answers the records it completes, or a problem.
   * strategy: a record with no quote before its newline is sliced and split at once (the common
   * case, fast); a record with quotes is scanned field by field and may span lines. Text after the
   * last complete record waits for the next piece, so a record split across pieces is whole.
   */
  push(text: string): string[][] | TokenizerProblem {
    // A long record arrives in many pieces: until one brings a line end, none completes it, and
    // scanning the text gathered so far again for each piece would cost its length squared.
    if (this.pending.length > 0 && !text.includes('\n')) {
      this.pending += text;
      return this.pending.length > MAX_RECORD_CHARS ? this.tooLong() : [];
    }
    const buffer = this.pending + text;
    const records: string[][] = [];
    let position = 0;
    // The next quote is looked up only once passed, so a quote far ahead costs one scan, not one per line.
    let quote = -1;
    while (position < buffer.length) {
      const newline = buffer.indexOf('\n', position);
      if (newline < 0) break;
      if (quote < position) {
        quote = buffer.indexOf('"', position);
        if (quote < 0) quote = Number.POSITIVE_INFINITY;
      }
      if (quote > newline) {
        const end = newline > position && buffer.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
        records.push(buffer.slice(position, end).split(this.delimiter, this.splitLimit));
        position = newline + 1;
        continue;
      }
      const scanned = this.scanQuotedRecord(buffer, position, false);
      if (scanned === null) break;
      records.push(scanned.cells);
      position = scanned.next;
    }
    this.pending = buffer.slice(position);
    if (this.pending.length > MAX_RECORD_CHARS) return this.tooLong();
    return records;
  }

  /** Ends the input: the last record when the text does not end with a newline, or a problem. */
  end(): string[][] | TokenizerProblem {
    const rest = this.pending;
    this.pending = '';
    if (rest.length === 0) return [];
    const scanned = this.scanQuotedRecord(rest, 0, true);
    if (scanned === null) {
      return {
        code: 'UNTERMINATED_QUOTE',
        message: 'the file ends inside a quoted field: a " was opened and never closed',
      };
    }
    return [scanned.cells];
  }

  /** A record longer than any real one: a quote opened and never closed, most likely. */
  private tooLong(): TokenizerProblem {
    const quoted = this.pending.includes('"');
    return quoted
      ? {
          code: 'UNTERMINATED_QUOTE',
          message: `a quoted field runs on for over ${MAX_RECORD_CHARS} characters: a " was opened and never closed`,
        }
      : { code: 'RECORD_TOO_LONG', message: `a row is longer than ${MAX_RECORD_CHARS} characters` };
  }

  /**
   * Reads one record from `start`, field by field. Answers null when the record is not complete
   * in `text` (unless `atEnd`, when the end of text ends it; an open quote still answers null).
   */
  private scanQuotedRecord(
    text: string,
    start: number,
    atEnd: boolean,
  ): { cells: string[]; next: number } | null {
    const cells: string[] = [];
    const delimiter = this.delimiter;
    let i = start;
    for (;;) {
      let field = '';
      if (text.charCodeAt(i) === 34) {
        i += 1;
        for (;;) {
          const close = text.indexOf('"', i);
          if (close < 0) return null;
          field += text.slice(i, close);
          if (close + 1 >= text.length && !atEnd) return null;
          if (text.charCodeAt(close + 1) === 34) {
            field += '"';
            i = close + 2;
          } else {
            i = close + 1;
            break;
          }
        }
      }
      // Unquoted text, or text after a closing quote (kept as written, like spreadsheets do).
      let stop = i;
      while (stop < text.length) {
        const c = text[stop];
        if (c === delimiter || c === '\n') break;
        stop += 1;
      }
      if (stop >= text.length && !atEnd) return null;
      let piece = text.slice(i, stop);
      if (text[stop] !== delimiter && piece.endsWith('\r')) piece = piece.slice(0, -1);
      if (cells.length <= this.maxCells) cells.push(field + piece);
      if (stop >= text.length) return { cells, next: stop };
      if (text[stop] === '\n') return { cells, next: stop + 1 };
      i = stop + 1;
    }
  }
}

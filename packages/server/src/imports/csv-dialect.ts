/** The separators a CSV file may use; spreadsheets in many locales write `;` or tab. */
export const CSV_DELIMITERS = { comma: ',', tab: '\t', semicolon: ';' } as const;
export type CsvDelimiterName = keyof typeof CSV_DELIMITERS;

/**
 * The delimiter of a file, from its header line: the candidate seen most often outside quotes
 * (a header with a single column has none, and is read as comma-separated).
 */
export function detectDelimiter(headerLine: string): string {
  const counts = new Map<string, number>(Object.values(CSV_DELIMITERS).map((d) => [d, 0]));
  let quoted = false;
  for (const c of headerLine) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && counts.has(c)) counts.set(c, (counts.get(c) as number) + 1);
  }
  let best = ',';
  for (const [delimiter, count] of counts) if (count > (counts.get(best) as number)) best = delimiter;
  return best;
}

/** A delimiter named by the owner (`comma`, `tab`, `semicolon` or the character), or null. */
export function namedDelimiter(name: string): string | null {
  if (name in CSV_DELIMITERS) return CSV_DELIMITERS[name as CsvDelimiterName];
  return (Object.values(CSV_DELIMITERS) as string[]).includes(name) ? name : null;
}

/** The name of a delimiter, as a job reports it. */
export function delimiterName(delimiter: string): CsvDelimiterName {
  const entry = Object.entries(CSV_DELIMITERS).find(([, d]) => d === delimiter);
  return (entry?.[0] ?? 'comma') as CsvDelimiterName;
}

/**
 * One CSV line (RFC 4180, CRLF) of cells. Cells a spreadsheet would run as a formula (starting
 * with =, +, -, @, or a tab or carriage return before one) get a leading apostrophe, so an error
 * report never executes an uploaded value.
 */
export function csvLine(cells: readonly (string | number | null)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

function csvCell(cell: string | number | null): string {
  if (cell === null) return '';
  let text = String(cell);
  if (typeof cell === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

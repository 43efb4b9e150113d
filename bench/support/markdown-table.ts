/** A column of a printed table: its title, and whether its cells are right-aligned (numbers). */
export type TableColumn = string | { title: string; right: true };

/** Prints a Markdown table (a blank line first) of the figures of a bench, one row per measurement. */
export function printTable(columns: TableColumn[], rows: string[][]): void {
  const title = (c: TableColumn) => (typeof c === 'string' ? c : c.title);
  const rule = (c: TableColumn) => (typeof c === 'string' ? '---' : '---:');
  console.log(`\n| ${columns.map(title).join(' | ')} |`);
  console.log(`|${columns.map(rule).join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

/** A count as the tables print it: with thousands separators. */
export const thousands = (n: number) => n.toLocaleString('en-US');

/** The first rows of a CSV file, split for a preview (the server reads the whole file properly). */
export function previewCsv(text: string, rows = 5): { header: string[]; rows: string[][]; types: string[] } {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .slice(0, rows + 1);
  const delimiter = [',', '\t', ';'].sort((a, b) => count(lines[0] ?? '', b) - count(lines[0] ?? '', a))[0];
  const split = (line: string) => {
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quoted && c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = !quoted;
      else if (c === delimiter && !quoted) {
        cells.push(cell);
        cell = '';
      } else cell += c;
    }
    cells.push(cell);
    return cells;
  };
  const [header = [], ...body] = lines.map(split);
  const types = header.map((_, i) => inferType(body.map((r) => r[i] ?? '').filter((v) => v !== '')));
  return { header, rows: body, types };
}

function count(text: string, c: string): number {
  return text.split(c).length - 1;
}

/** What the first values look like; the server infers the stored type from the values it reads. */
function inferType(values: string[]): string {
  if (values.length === 0) return 'unknown';
  if (values.every((v) => v.trim() !== '' && Number.isFinite(Number(v)))) return 'number';
  if (values.every((v) => /^(true|false)$/i.test(v))) return 'boolean';
  if (values.every((v) => /^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(Date.parse(v)))) return 'datetime';
  return 'string';
}

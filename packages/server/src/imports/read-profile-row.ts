import { type AttributeValue, MAX_ATTRIBUTE_VALUE_LENGTH } from '../attributes/attribute-operation.js';
import { readAsType } from '../attributes/attribute-types.js';
import { illegalIdReason } from '../identity/illegal-ids.js';
import type { ImportColumn } from './column-types.js';
import type { ImportIssue } from './import-issue.js';
import type { ProfileFields } from './profile-fields.js';

/**
 * What a row does to one column: a value to set, `null` to unset it, `undefined` to leave it as
 * it is (an empty cell).
 */
export type CellWrite = AttributeValue | null | undefined;

/** A row that passed every check, ready to write. */
export interface ValidProfileRow {
  row: number;
  userId: string;
  /** One per column, in the order of the columns (an array per row, not an object per cell). */
  values: CellWrite[];
}

export type ReadRowResult = { ok: true; row: ValidProfileRow } | { ok: false; issue: ImportIssue };

/**
 * Reads one row of cells (aligned with the fields) into the writes it makes.
 * strategy: the row must be as wide as the header; the user id must be legal (DESIGN §3 rule 1;
 * CSV ids are trimmed, as spreadsheets pad them); then per cell: `""` leaves the value unchanged,
 * `null` (JSON only) unsets it, a string, number or boolean is read through the column's type.
 * A value that does not read as a declared type refuses the row; under an inferred type it is
 * kept as sent. The first problem refuses the whole row, so a row is written whole or not at all.
 */
export function readProfileRow(
  cells: readonly unknown[],
  rowNumber: number,
  fields: ProfileFields,
  columns: readonly ImportColumn[],
  trimId: boolean,
): ReadRowResult {
  const rawId = cells[fields.idIndex];
  if (cells.length !== fields.width) {
    return refuse(
      cells,
      rowNumber,
      fields,
      'RAGGED_ROW',
      null,
      `the row has ${cells.length > fields.maxWidth ? `more than ${fields.maxWidth}` : cells.length} ${cells.length === 1 ? 'cell' : 'cells'} but the header has ${fields.width}`,
    );
  }
  const id = typeof rawId === 'string' && trimId ? rawId.trim() : rawId;
  const idProblem = illegalIdReason(id);
  if (idProblem)
    return refuse(cells, rowNumber, fields, 'ILLEGAL_USER_ID', fields.idName, `the user id ${idProblem}`);

  const values: CellWrite[] = new Array(columns.length);
  for (let c = 0; c < columns.length; c++) {
    const column = columns[c];
    const cell = cells[column.index];
    if (cell === '' || cell === undefined) continue;
    if (cell === null) {
      values[c] = null;
      continue;
    }
    if (typeof cell !== 'string' && typeof cell !== 'number' && typeof cell !== 'boolean') {
      return refuse(
        cells,
        rowNumber,
        fields,
        'INVALID_VALUE',
        column.name,
        `values must be strings, numbers, booleans or null, not ${Array.isArray(cell) ? 'a list' : typeof cell}`,
      );
    }
    if (typeof cell === 'number' && !Number.isFinite(cell))
      return refuse(
        cells,
        rowNumber,
        fields,
        'INVALID_VALUE',
        column.name,
        'the value is not a finite number',
      );
    if (typeof cell === 'string' && cell.length > MAX_ATTRIBUTE_VALUE_LENGTH) {
      return refuse(
        cells,
        rowNumber,
        fields,
        'VALUE_TOO_LONG',
        column.name,
        `the value has ${cell.length} characters; the limit is ${MAX_ATTRIBUTE_VALUE_LENGTH}`,
      );
    }
    // A string read as a string is itself (readAsType's String()); the common case skips the call.
    if (column.type === 'string' && typeof cell === 'string') {
      values[c] = cell;
      continue;
    }
    const read =
      typeof cell === 'string' && MEMO_TYPES.has(column.type)
        ? readMemo(columns, c, cell)
        : readAsType(cell, column.type);
    if (read.ok) values[c] = read.value;
    else if (column.declared) {
      return refuse(
        cells,
        rowNumber,
        fields,
        'VALUE_TYPE_MISMATCH',
        column.name,
        `"${String(cell).slice(0, 60)}" is not a ${column.type}, the type declared for ${column.name}`,
      );
    } else values[c] = cell;
  }
  return { ok: true, row: { row: rowNumber, userId: String(id), values } };
}

/** Types whose reading is costly (date parsing) or whose values repeat anyway (yes/no). */
const MEMO_TYPES = new Set(['datetime', 'boolean']);
const MEMO_SIZE = 1 << 14;
const memos = new WeakMap<readonly ImportColumn[], Map<string, ReturnType<typeof readAsType>>[]>();

/**
 * readAsType of a text cell through a per-column memo of recent texts: a file repeats dates and
 * yes/no words a great deal, and parsing a date costs more than finding it. Bounded: a full memo is
 * emptied.
 */
function readMemo(columns: readonly ImportColumn[], c: number, cell: string): ReturnType<typeof readAsType> {
  let perColumn = memos.get(columns);
  if (perColumn === undefined) {
    perColumn = columns.map(() => new Map());
    memos.set(columns, perColumn);
  }
  const memo = perColumn[c];
  let read = memo.get(cell);
  if (read === undefined) {
    read = readAsType(cell, columns[c].type);
    if (memo.size >= MEMO_SIZE) memo.clear();
    // A copy: the cell is sliced out of a piece of the file, which the memo would keep alive.
    memo.set(` ${cell}`.slice(1), read);
  }
  return read;
}

function refuse(
  cells: readonly unknown[],
  rowNumber: number,
  fields: ProfileFields,
  code: ImportIssue['code'],
  field: string | null,
  message: string,
): ReadRowResult {
  const rawId = cells[fields.idIndex];
  const shownId = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : null;
  return { ok: false, issue: { row: rowNumber, user_id: shownId, field, code, message } };
}

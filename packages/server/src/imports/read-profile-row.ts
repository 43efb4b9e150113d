import { type AttributeValue, MAX_ATTRIBUTE_VALUE_LENGTH } from '../attributes/attribute-operation.js';
import { readAsType } from '../attributes/attribute-types.js';
import { illegalIdReason } from '../identity/illegal-ids.js';
import type { ImportColumn } from './column-types.js';
import type { ImportIssue } from './import-issue.js';
import type { ProfileFields } from './profile-fields.js';

/** One change a row makes: a value to set, or `null` to unset. */
export interface CellWrite {
  name: string;
  value: AttributeValue | null;
}

/** A row that passed every check, ready to write. */
export interface ValidProfileRow {
  row: number;
  userId: string;
  writes: CellWrite[];
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
  const shownId = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : null;
  const refuse = (code: ImportIssue['code'], field: string | null, message: string): ReadRowResult => ({
    ok: false,
    issue: { row: rowNumber, user_id: shownId, field, code, message },
  });

  if (cells.length !== fields.width) {
    return refuse(
      'RAGGED_ROW',
      null,
      `the row has ${cells.length} ${cells.length === 1 ? 'cell' : 'cells'} but the header has ${fields.width}`,
    );
  }
  const id = typeof rawId === 'string' && trimId ? rawId.trim() : rawId;
  const idProblem = illegalIdReason(id);
  if (idProblem) return refuse('ILLEGAL_USER_ID', fields.idName, `the user id ${idProblem}`);

  const writes: CellWrite[] = [];
  for (const column of columns) {
    const cell = cells[column.index];
    if (cell === '' || cell === undefined) continue;
    if (cell === null) {
      writes.push({ name: column.name, value: null });
      continue;
    }
    if (typeof cell !== 'string' && typeof cell !== 'number' && typeof cell !== 'boolean') {
      return refuse(
        'INVALID_VALUE',
        column.name,
        `values must be strings, numbers, booleans or null, not ${Array.isArray(cell) ? 'a list' : typeof cell}`,
      );
    }
    if (typeof cell === 'number' && !Number.isFinite(cell))
      return refuse('INVALID_VALUE', column.name, 'the value is not a finite number');
    if (typeof cell === 'string' && cell.length > MAX_ATTRIBUTE_VALUE_LENGTH) {
      return refuse(
        'VALUE_TOO_LONG',
        column.name,
        `the value has ${cell.length} characters; the limit is ${MAX_ATTRIBUTE_VALUE_LENGTH}`,
      );
    }
    const read = readAsType(cell, column.type);
    if (read.ok) writes.push({ name: column.name, value: read.value });
    else if (column.declared) {
      return refuse(
        'VALUE_TYPE_MISMATCH',
        column.name,
        `"${String(cell).slice(0, 60)}" is not a ${column.type}, the type declared for ${column.name}`,
      );
    } else writes.push({ name: column.name, value: cell });
  }
  return { ok: true, row: { row: rowNumber, userId: String(id), writes } };
}

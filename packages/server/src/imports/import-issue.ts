/** Codes of the problems an import reports per row (documented with the other error codes). */
export type ImportIssueCode =
  | 'ILLEGAL_USER_ID'
  | 'RAGGED_ROW'
  | 'VALUE_TOO_LONG'
  | 'INVALID_VALUE'
  | 'VALUE_TYPE_MISMATCH'
  | 'DUPLICATE_USER_ID'
  | 'INVALID_ENCODING';

/**
 * One problem with one row. A refused row is not written at all; `DUPLICATE_USER_ID` is a
 * warning: the row is written and the last row of a user id wins.
 */
export interface ImportIssue {
  /** CSV: the row as a spreadsheet numbers it (the header is row 1). JSON: the index in `values`. */
  row: number;
  user_id: string | null;
  field: string | null;
  code: ImportIssueCode;
  message: string;
}

/** Codes that refuse a whole upload or file; each names the row or column at fault. */
export type ImportRefusalCode =
  | 'FIELD_NAME_MISSING_USER_ID'
  | 'MISSING_ID_COLUMN'
  | 'DUPLICATE_FIELD_NAME'
  | 'INVALID_ATTRIBUTE_NAME'
  | 'TOO_MANY_FIELDS'
  | 'TOO_MANY_PROFILES'
  | 'EMPTY_FILE'
  | 'NO_ROWS'
  | 'HEADER_MISMATCH';

export type ImportRefusal = { ok: false; code: ImportRefusalCode; message: string };

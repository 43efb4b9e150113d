/** Schema pieces several route plugins share. */

/**
 * Every 4xx answer, and a 503 (the database is down, or ingestion is behind: `Retry-After`), is the
 * shared `Error` schema (`{"error": {"code", "message"}}`).
 */
export const errorResponses = { '4xx': { $ref: 'Error#' }, 503: { $ref: 'Error#' } } as const;

/** `:id` of an import job. */
export const importJobParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' } },
} as const;

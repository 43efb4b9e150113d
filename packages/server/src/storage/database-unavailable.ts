/**
 * Errors that say the database cannot be reached or is going away, not that the request is wrong:
 * refused or dropped connections, PostgreSQL shutting down or starting (57P01–57P03) or a
 * connection exception (class 08). They are answered 503 with Retry-After; the request did not
 * take effect (its transaction rolled back) and may be sent again.
 */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || /^(57P0[123]|08...)$/.test(code))) return true;
  const message = error instanceof Error ? error.message : '';
  // What pg throws for a connection that ends mid-query, for a client used again after its
  // connection failed or closed (a rollback after the failure), or for a pool that has no server.
  return /^Connection terminated|^Client (has encountered a connection error|was closed) and is not queryable|^connect ECONNREFUSED|^timeout exceeded when trying to connect/.test(
    message,
  );
}

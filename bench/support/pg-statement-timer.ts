import pg from 'pg';

/** Each statement's count and wall time (lock waits included), keyed as the caller names it. */
export type StatementStats = Map<string, { n: number; ms: number }>;

/**
 * Times every statement any `pg` client of this process runs, as the client sees it, into the
 * returned map while `timing()` is true. `keyOf` names a statement from its SQL text (parameters
 * folded, cut short); `onNewClient` runs once per client before its first statement.
 * `untimed` runs a statement past the timer (a sampler's own queries).
 */
export function timePgStatements(options: {
  keyOf: (text: string) => string;
  timing?: () => boolean;
  onNewClient?: (client: pg.Client, query: (text: string) => unknown) => void;
}): { stats: StatementStats; untimed: (client: pg.Client, text: string) => Promise<pg.QueryResult> } {
  const stats: StatementStats = new Map();
  type Query = (this: pg.Client, ...args: unknown[]) => unknown;
  const original = pg.Client.prototype.query as unknown as Query;
  const untimed = (client: pg.Client, text: string) => original.call(client, text) as Promise<pg.QueryResult>;
  const seen = new WeakSet<pg.Client>();
  (pg.Client.prototype as unknown as { query: Query }).query = function (this: pg.Client, ...args) {
    if (options.onNewClient && !seen.has(this)) {
      seen.add(this);
      options.onNewClient(this, (text) => original.call(this, text));
    }
    const first = args[0] as string | { text?: string } | undefined;
    const text = typeof first === 'string' ? first : (first?.text ?? '');
    const started = performance.now();
    const result = original.apply(this, args) as Promise<unknown> | undefined;
    if (text && (options.timing?.() ?? true) && typeof result?.then === 'function') {
      const key = options.keyOf(text);
      result.then(
        () => {
          const entry = stats.get(key) ?? { n: 0, ms: 0 };
          entry.n++;
          entry.ms += performance.now() - started;
          stats.set(key, entry);
        },
        () => {},
      );
    }
    return result;
  };
  return { stats, untimed };
}

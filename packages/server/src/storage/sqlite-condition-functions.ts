import type SqliteDatabase from 'better-sqlite3';
import { urlHost } from '../conditions/person-facts.js';
import { regexMatches, regexProblem } from '../conditions/safe-regex.js';

/**
 * The JavaScript functions compiled conditions call on SQLite (see condition-sql-dialect.ts), so a
 * regex or a URL host means exactly what it means in memory. They never throw: a pattern that
 * the parser would refuse matches nothing.
 */
export function registerConditionFunctions(connection: SqliteDatabase.Database): void {
  const checked = new Map<string, boolean>();
  connection.function('acquaint_regexp', { deterministic: true }, (pattern: unknown, text: unknown) => {
    if (typeof pattern !== 'string' || text === null || text === undefined) return null;
    let accepted = checked.get(pattern);
    if (accepted === undefined) {
      accepted = regexProblem(pattern) === null;
      if (checked.size > 500) checked.clear();
      checked.set(pattern, accepted);
    }
    return accepted && regexMatches(pattern, String(text)) ? 1 : 0;
  });
  connection.function('acquaint_url_host', { deterministic: true }, (url: unknown) =>
    typeof url === 'string' ? urlHost(url) : null,
  );
}

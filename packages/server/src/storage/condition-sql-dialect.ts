import { PostgresAdapter, type RawBuilder, sql } from 'kysely';
import { URL_HOST_POSIX } from '../conditions/person-facts.js';
import { postgresRegex } from '../conditions/safe-regex.js';

/**
 * The few SQL functions conditions need that the two backends spell differently. SQLite runs
 * JavaScript for regex and URL hosts (functions registered by `registerConditionFunctions`), so
 * they behave exactly as in memory; PostgreSQL gets the pattern translated to its own syntax.
 */
export interface ConditionSqlDialect {
  /** 1-based position of `needle` in `text` (0 when absent; 1 for an empty needle). */
  position(text: RawBuilder<unknown>, needle: string): RawBuilder<number>;
  /** Whether `text` matches an accepted ECMAScript pattern. */
  regex(text: RawBuilder<unknown>, pattern: string): RawBuilder<boolean>;
  /** The elements of a JSON list of texts, as rows of one column `j.value`. */
  listElements(items: RawBuilder<unknown>): RawBuilder<unknown>;
  /** A JSON object's text member (null when absent or not text). */
  jsonText(json: RawBuilder<unknown>, key: string): RawBuilder<string | null>;
  /** `urlHost` (conditions/person-facts.ts) of a URL. */
  urlHost(url: RawBuilder<unknown>): RawBuilder<string | null>;
}

const sqliteDialect: ConditionSqlDialect = {
  position: (text, needle) => sql<number>`instr(${text}, ${needle})`,
  regex: (text, pattern) => sql<boolean>`acquaint_regexp(${pattern}, ${text}) = 1`,
  listElements: (items) => sql`json_each(${items}) as j`,
  jsonText: (json, key) =>
    sql<
      string | null
    >`(case when json_type(${json}, ${`$.${jsonPathKey(key)}`}) = 'text' then json_extract(${json}, ${`$.${jsonPathKey(key)}`}) end)`,
  urlHost: (url) => sql<string | null>`acquaint_url_host(${url})`,
};

const postgresDialect: ConditionSqlDialect = {
  position: (text, needle) => sql<number>`strpos(${text}, cast(${needle} as text))`,
  regex: (text, pattern) => sql<boolean>`${text} ~ cast(${postgresRegex(pattern)} as text)`,
  listElements: (items) => sql`jsonb_array_elements_text(cast(${items} as jsonb)) as j(value)`,
  jsonText: (json, key) =>
    sql<
      string | null
    >`(case when jsonb_typeof(${json} -> cast(${key} as text)) = 'string' then ${json} ->> cast(${key} as text) end)`,
  urlHost: (url) => sql<string | null>`lower(substring(${url} from ${URL_HOST_POSIX}))`,
};

function jsonPathKey(key: string): string {
  return `"${key.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

export function conditionSqlDialect(db: { getExecutor(): { adapter: unknown } }): ConditionSqlDialect {
  return isPostgres(db) ? postgresDialect : sqliteDialect;
}

/** Whether `db` (a handle or a transaction) talks to PostgreSQL. */
export function isPostgres(db: { getExecutor(): { adapter: unknown } }): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

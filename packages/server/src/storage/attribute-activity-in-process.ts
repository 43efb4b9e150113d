import { sql } from 'kysely';
import { readInSnapshot } from './prepared-query.js';
import { activityParts } from './report-events.js';
import type { ActivityQuery, ActivityRow } from './report-repository.js';
import { tallyingInto, type VisitorCounts, VisitorTally } from './sqlite-report-functions.js';
import type { Db } from './store.js';

/**
 * `activityByAttribute` for the common breakdown — visitors, events and conversion of a whole
 * range — when the database runs in this process (SQLite outside a transaction); undefined
 * otherwise, and for sessions, page views and series, which the SQL of `report-repository.ts`
 * counts.
 * strategy: one pass over the window's rows marks each visitor in arrays indexed by person id
 * (`VisitorTally`), a second over the rows of the metric's event (the rollup's name index) adds
 * their events, then one pass over the holders of the attribute, in value order (index
 * `person_attributes_name_value`), counts the visitors among each value's holders; visitors
 * holding no value are the rest. No sort by person, no look-up per visitor. All in one read
 * transaction, so the passes agree while other connections (the log applier's) commit.
 */
export function activityByAttributeInProcess(
  db: Db,
  query: ActivityQuery,
  attribute: string,
): ActivityRow[] | undefined {
  if (query.buckets !== null || query.measure.sessions || query.measure.pageviews) return undefined;
  const tally = new VisitorTally();
  const held = readInSnapshot(db, (read) =>
    tallyingInto(tally, () => {
      for (const part of activityParts(query, null))
        read(sql`select acquaint_visit(ev.person_id) from (${part}) ev`.compile(db));
      if (query.event !== null)
        for (const part of activityParts(query, null, query.event))
          read(sql`select acquaint_events(ev.person_id, ev.n) from (${part}) ev`.compile(db));
      return read(
        sql<{ key: string; counts: string }>`select a.value as key, acquaint_holders(a.person_id) as counts
          from person_attributes a
          where a.project_id = ${query.projectId} and a.name = ${attribute} and a.value is not null
          group by a.value`.compile(db),
      );
    }),
  );
  if (held === undefined || tally.outOfRange) return undefined;

  const rows: ActivityRow[] = [];
  const lacking: VisitorCounts = { ...tally.totals };
  for (const { key, counts } of held) {
    const [visitors, events, converters] = JSON.parse(counts) as number[];
    if (visitors === 0) continue;
    rows.push(activityRow(String(key), { visitors, events, converters }));
    lacking.visitors -= visitors;
    lacking.events -= events;
    lacking.converters -= converters;
  }
  if (lacking.visitors > 0) rows.push(activityRow(null, lacking));
  return rows;
}

function activityRow(key: string | null, counts: VisitorCounts): ActivityRow {
  return { key, bucket: 0, sessions: 0, pageviews: 0, ...counts };
}

import { type RawBuilder, sql } from 'kysely';
import { type ReportWindow, resolvedEvents } from './report-events.js';
import type { Db } from './store.js';

/** Identified visitors of the window and how many of them used two or more devices in it. */
export async function countIdentifiedDevices(
  db: Db,
  window: ReportWindow,
): Promise<{ identified: number; multiDevice: number }> {
  const { rows } = await sql<{ identified: string | number; multi: string | number | null }>`
    select count(*) as identified, sum(case when pd.devices >= 2 then 1 else 0 end) as multi
    from (select ev.person_id, count(distinct ev.anonymous_id) as devices
          from ${resolvedEvents(window, null)} ev
          where ev.person_id is not null
          group by ev.person_id) pd
    join persons p on p.id = pd.person_id
    where p.user_id is not null`.execute(db);
  return { identified: Number(rows[0]?.identified ?? 0), multiDevice: Number(rows[0]?.multi ?? 0) };
}

/** One device of a converting visitor: when it was first used in the window, before converting. */
export interface ConverterDevice {
  personId: number;
  firstAt: number;
  deviceType: string | null;
}

/** The first event of one session of a converting visitor, before converting. */
export interface ConverterSession {
  personId: number;
  startedAt: number;
  url: string | null;
  referrer: string | null;
  context: unknown;
}

/**
 * Each visitor's moment of conversion: the first `event` in the window, or without an event the
 * visitor's last event (so that every device used counts).
 */
function conversions(window: ReportWindow, event: string | null): RawBuilder<unknown> {
  return event === null
    ? sql`select ev.person_id, max(ev.timestamp) as converted_at
        from ${resolvedEvents(window, null)} ev where ev.person_id is not null group by ev.person_id`
    : sql`select ev.person_id, min(ev.timestamp) as converted_at
        from ${resolvedEvents(window, null)} ev
        where ev.person_id is not null and ev.type = 'track' and ev.name = ${event}
        group by ev.person_id`;
}

/** The devices converting visitors used up to their conversion, in order of first use. */
export async function converterDevices(
  db: Db,
  window: ReportWindow,
  event: string | null,
): Promise<ConverterDevice[]> {
  const { rows } = await sql<{
    person_id: number | string;
    first_at: number | string;
    device_type: string | null;
  }>`
    select ev.person_id, min(ev.timestamp) as first_at, min(ev.device_type) as device_type
    from ${resolvedEvents(window, null)} ev
    join (${conversions(window, event)}) c on c.person_id = ev.person_id
    where ev.anonymous_id is not null and ev.timestamp <= c.converted_at
    group by ev.person_id, ev.anonymous_id
    order by ev.person_id, first_at, ev.anonymous_id`.execute(db);
  return rows.map((row) => ({
    personId: Number(row.person_id),
    firstAt: Number(row.first_at),
    deviceType: row.device_type,
  }));
}

/** The first event of each session converting visitors had up to their conversion, oldest first. */
export async function converterSessions(
  db: Db,
  window: ReportWindow,
  event: string,
): Promise<ConverterSession[]> {
  const withPage = sql`, e.url, e.referrer, e.context`;
  const { rows } = await sql<{
    person_id: number | string;
    timestamp: number | string;
    url: string | null;
    referrer: string | null;
    context: unknown;
  }>`
    select s.person_id, s.timestamp, s.url, s.referrer, s.context
    from (select ev.person_id, ev.timestamp, ev.url, ev.referrer, ev.context,
            row_number() over (partition by ev.person_id, ev.session_id order by ev.timestamp, ev.id) as n
          from ${resolvedEvents(window, null, withPage)} ev
          join (${conversions(window, event)}) c on c.person_id = ev.person_id
          where ev.session_id is not null and ev.timestamp <= c.converted_at) s
    where s.n = 1
    order by s.person_id, s.timestamp`.execute(db);
  return rows.map((row) => ({
    personId: Number(row.person_id),
    startedAt: Number(row.timestamp),
    url: row.url,
    referrer: row.referrer,
    context: typeof row.context === 'string' ? safeJson(row.context) : row.context,
  }));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

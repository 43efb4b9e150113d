/**
 * The shop of `dataset.ts` written by the database itself, in a few set-based statements, so a
 * benchmark can load 1,000,000 persons and 10,000,000 events in minutes. The same shape: 70% of
 * persons identified (with five CRM attributes, one in ten without a level), 0.5% crawlers, 1–3
 * devices for members, about 2.5 sessions a person over 90 days of a few page views, maybe
 * `add_to_cart`, and `purchase` likelier for higher levels; each device's first session starts
 * anonymous and signs in after its first page view (one in five after buying), later sessions are
 * signed in from the start. Draws come from an integer hash of the person and session numbers,
 * so a size always gives the same rows on both backends. Persons and devices are written first,
 * so on SQLite the `event_rollup` triggers resolve each event as it is inserted: the rollup is
 * filled exactly. On PostgreSQL the aggregate triggers are off for the load (hours at 1M) and their
 * tables filled set-based after it (`trigger-kept-tables.ts`); `triggers: 'fire'` keeps them on.
 */
import { sql } from 'kysely';
import { typedColumnsOfJson } from '../../packages/server/src/attributes/typed-attribute-value.js';
import type { Store } from '../../packages/server/src/storage/store.js';
import {
  AGENTS,
  COUNTRIES,
  DATASET_ATTRIBUTES,
  DATASET_END,
  INTERESTS,
  LEVELS,
  REFERRERS,
} from './dataset.js';
import { fillTriggerKeptTables, setBypassedTriggers, setIndexesAside } from './trigger-kept-tables.js';

const DAY = 86_400_000;
/** Up to this many persons' events are inserted by one statement. */
const EVENT_CHUNK = 50_000;
/** Signup dates are whole days within the three years before the data starts. */
const SIGNUP_DAYS = 3 * 365;
const INTEREST_SETS = 240;

/** A draw in `[0, 2^31)` from the integer `x` (below 2^32) and a salt: two rounds of an LCG. */
function draw(x: ReturnType<typeof sql>, salt: number) {
  const round = (v: ReturnType<typeof sql>) => sql`((${v}) * 1103515245 + 12345) % 2147483648`;
  return sql`(${round(round(sql`${x} + ${sql.lit(salt * 7919)}`))} / 65536)`;
}

/** The values attributes take, each with the typed columns the server computes for it. */
function attributeValues(start: number) {
  const rows: { kind: string; n: number; value: string }[] = [];
  for (const [n, level] of LEVELS.entries()) rows.push({ kind: 'level', n, value: JSON.stringify(level) });
  for (let n = 0; n < 62; n++) rows.push({ kind: 'age', n, value: String(18 + n) });
  for (const [n, country] of COUNTRIES.entries())
    rows.push({ kind: 'country', n, value: JSON.stringify(country) });
  for (let n = 0; n < SIGNUP_DAYS; n++) {
    rows.push({ kind: 'signup', n, value: JSON.stringify(new Date(start - (n + 1) * DAY).toISOString()) });
  }
  for (let n = 0; n < INTEREST_SETS; n++) {
    const picked = new Set<string>();
    for (let k = 0; picked.size < 1 + (n % 3); k++) picked.add(INTERESTS[(n * 7 + k * 3) % INTERESTS.length]);
    rows.push({ kind: 'interests', n, value: JSON.stringify([...picked]) });
  }
  return rows.map((row) => ({ ...row, ...typedColumnsOfJson(row.value) }));
}

type Sql = ReturnType<typeof sql>;

export async function generateDatasetSql(
  store: Store,
  projectId: string,
  options: { persons: number; days?: number; end?: number; triggers?: 'fire' | 'bypass' },
  step: (what: string) => void = () => {},
): Promise<{ events: number }> {
  const db = store.db;
  const sqlite = store.name === 'sqlite';
  const days = options.days ?? 90;
  const start = (options.end ?? DATASET_END) - days * DAY;
  const now = Date.now();
  const persons = options.persons;
  const series = (n: number) =>
    sqlite
      ? sql`(with recursive seq(x) as (select 0 union all select x + 1 from seq where x < ${sql.lit(n - 1)}) select x from seq)`
      : sql`(select cast(x as bigint) as x from generate_series(0, ${sql.lit(n - 1)}) as x)`;
  const run = async (statement: Sql) => {
    await statement.execute(db);
  };
  const lit = (n: number) => sql.lit(n);
  // PostgreSQL: the aggregate triggers are off for the load and their tables filled after it.
  const bypass = !sqlite && (options.triggers ?? 'bypass') === 'bypass';
  if (bypass) await setBypassedTriggers(store, false);
  for (const table of ['bench_people', 'bench_sessions', 'bench_values']) {
    await run(sql`drop table if exists ${sql.table(table)}`);
  }

  // Each person: kind (1 member, 2 crawler, 0 anonymous), level, devices and the first device's type.
  await run(sql`create table bench_people as
    select i, kind, level,
      case when kind = 1 then (case when d < 8 then 3 when d < 35 then 2 else 1 end) else 1 end as devices,
      case when t < 55 then 0 when t < 95 then 1 else 2 end as type0
    from (select i, case when k < 700 then 1 when k < 705 then 2 else 0 end as kind,
            case when l < 50 then 0 when l < 80 then 1 when l < 95 then 2 else 3 end as level, d, t
          from (select x + 1 as i, ${draw(sql`x`, 1)} % 1000 as k, ${draw(sql`x`, 2)} % 100 as l,
                  ${draw(sql`x`, 3)} % 100 as d, ${draw(sql`x`, 4)} % 100 as t from ${series(persons)} s) r) c`);
  // 0–5 sessions a person (2.5 on average), each on a day, a device, with 1–6 page views, maybe a
  // cart and a purchase; `nth` numbers a device's sessions in time, the first one signs in.
  const sn = sql`(p.i * 8 + j.x)`;
  await run(sql`create table bench_sessions as
    select a.*, a.pages + a.cart + a.buy as steps,
      row_number() over (partition by a.i, a.k order by a.st, a.j) as nth
    from (select p.i, j.x as j, ${sn} as sn, p.kind, ${draw(sn, 7)} % p.devices as k,
            ${draw(sn, 6)} % ${lit(days)} as day,
            ${lit(start)} + (${draw(sn, 6)} % ${lit(days)}) * ${lit(DAY)} + ${draw(sn, 11)} % 80000000 as st,
            1 + ${draw(sn, 8)} % 6 as pages,
            case when ${draw(sn, 9)} % 100 < 30 then 1 else 0 end as cart,
            case when ${draw(sn, 10)} % 100 < 4 + 4 * p.level then 1 else 0 end as buy,
            case when ${draw(sn, 12)} % 100 < 20 then 1 else 0 end as late
          from bench_people p join ${series(6)} j on j.x < ${draw(sql`p.i`, 5)} % 6) a`);
  await run(sql`create index bench_sessions_i on bench_sessions (i)`);
  step('sessions drawn');

  // The instant of step `x` of session `s`: 75 s apart, plus up to 30 s.
  const at = (x: Sql) => sql`(s.st + (${x}) * 75000 + ${draw(sql`s.sn * 16 + (${x})`, 13)} % 30000)`;
  const signAt = sql`(case when s.late = 1 then s.steps else 1 end)`;
  const identifyAt = sql`(case when ${signAt} >= s.steps then ${at(sql`s.steps - 1`)} + 30000 else ${at(sql`1`)} - 1000 end)`;
  const lastAt = sql`(case when s.kind = 1 and s.nth = 1 then ${identifyAt} else 0 end)`;
  const seen = sql`select s.i, s.k, min(${at(sql`0`)}) as first_at,
      max(case when ${lastAt} > ${at(sql`s.steps - 1`)} then ${lastAt} else ${at(sql`s.steps - 1`)} end) as last_at
    from bench_sessions s group by s.i, s.k`;
  await run(sql`insert into persons (id, project_id, user_id, created_at, first_seen, last_seen, bound_at, imported_at)
    select p.i, ${projectId}, case when p.kind = 1 then 'member-' || p.i end, f, f, l,
      case when p.kind = 1 then f end, case when p.kind = 1 then ${lit(now)} end
    from (select p.i, p.kind, coalesce(min(v.first_at), ${lit(start)}) as f, coalesce(max(v.last_at), ${lit(start)}) as l
          from bench_people p left join (${seen}) v on v.i = p.i group by p.i, p.kind) p`);
  const type = sql`(case when p.kind = 2 then 'bot' when (p.type0 + d.x) % 3 = 0 then 'mobile' when (p.type0 + d.x) % 3 = 1 then 'desktop' else 'tablet' end)`;
  const agent = sql`(case ${type} ${sql.join(
    Object.entries(AGENTS).map(([name, ua]) => sql`when ${name} then ${ua}`),
    sql` `,
  )} end)`;
  await run(sql`insert into devices (project_id, anonymous_id, person_id, first_seen, last_seen, user_agent, device_type, session_count)
    select ${projectId}, 'a' || p.i || '-' || d.x, p.i, coalesce(v.first_at, ${lit(start)}), coalesce(v.last_at, ${lit(start)}),
      ${agent}, ${type}, 1
    from bench_people p join ${series(3)} d on d.x < p.devices left join (${seen}) v on v.i = p.i and v.k = d.x`);
  step('persons and devices');

  await run(sql`create table bench_values (kind text, n bigint, value text, text_value text, num_value double precision,
    time_value bigint, bool_value integer, items text)`);
  await run(sql`create unique index bench_values_kind on bench_values (kind, n)`);
  const values = attributeValues(start);
  for (let i = 0; i < values.length; i += 200) {
    const rows = values
      .slice(i, i + 200)
      .map(
        (v) =>
          sql`(${v.kind}, ${v.n}, ${v.value}, ${v.text_value}, ${v.num_value}, ${v.time_value}, ${v.bool_value}, ${v.items})`,
      );
    await run(sql`insert into bench_values values ${sql.join(rows)}`);
  }
  const attributes: [string, string, Sql][] = [
    ['membership_level', 'level', sql`p.level`],
    ['age', 'age', sql`${draw(sql`p.i`, 21)} % 62`],
    ['country', 'country', sql`${draw(sql`p.i`, 22)} % ${lit(COUNTRIES.length)}`],
    ['signup_date', 'signup', sql`${draw(sql`p.i`, 23)} % ${lit(SIGNUP_DAYS)}`],
    ['interests', 'interests', sql`${draw(sql`p.i`, 24)} % ${lit(INTEREST_SETS)}`],
  ];
  for (const [name, kind, n] of attributes) {
    // One member in ten has no level on file: the report's null row.
    const held = name === 'membership_level' ? sql`and ${draw(sql`p.i`, 20)} % 10 <> 0` : sql``;
    await run(sql`insert into person_attributes (project_id, person_id, name, value, updated_at, text_value, num_value,
        time_value, bool_value, items)
      select ${projectId}, p.i, ${name}, v.value, ${lit(now)}, v.text_value, v.num_value, v.time_value, v.bool_value, v.items
      from bench_people p join bench_values v on v.kind = ${kind} and v.n = ${n}
      where p.kind = 1 ${held}`);
  }
  for (const [name, type] of Object.entries(DATASET_ATTRIBUTES)) {
    await run(sql`insert into attribute_definitions (project_id, name, type, type_source, from_sdk, from_server, from_import,
        first_seen, last_seen) values (${projectId}, ${name}, ${type}, 'inferred', 0, 0, 1, ${lit(now)}, ${lit(now)})`);
  }
  step('attributes');

  const indexes = await setIndexesAside(store, 'events');
  const referrer = sql`(case ${draw(sql`s.sn`, 14)} % ${lit(REFERRERS.length)} ${sql.join(
    REFERRERS.map((r, n) => sql`when ${lit(n)} then ${r || null}`),
    sql` `,
  )} end)`;
  const signedIn = sql`(s.kind = 1 and (s.nth > 1 or t.x >= ${signAt}))`;
  let events = 0;
  for (let lo = 1; lo <= persons; lo += EVENT_CHUNK) {
    const range = sql`s.i between ${lo} and ${lo + EVENT_CHUNK - 1}`;
    const anon = sql`'a' || s.i || '-' || s.k`;
    const session = sql`${anon} || '-' || s.day || '-' || s.j`;
    const steps =
      await sql`insert into events (project_id, message_id, type, name, anonymous_id, user_id, timestamp,
        received_at, session_id, url, referrer, properties, context)
      select ${projectId}, 'm' || s.i || '-' || s.j || '-' || t.x,
        case when t.x < s.pages then 'page' else 'track' end,
        case when t.x < s.pages then null when t.x = s.pages and s.cart = 1 then 'add_to_cart' else 'purchase' end,
        ${anon}, case when ${signedIn} then 'member-' || s.i end, ${at(sql`t.x`)}, ${at(sql`t.x`)}, ${session},
        'https://shop.example/p/' || (${draw(sql`s.sn * 16 + t.x`, 15)} % 500),
        case when t.x = 0 then ${referrer} end, '{}', '{}'
      from bench_sessions s join ${series(9)} t on t.x < s.steps where ${range}`.execute(db);
    const identifies =
      await sql`insert into events (project_id, message_id, type, name, anonymous_id, user_id, timestamp,
        received_at, session_id, url, referrer, properties, context)
      select ${projectId}, 'm' || s.i || '-' || s.j || '-i', 'identify', null, ${anon}, 'member-' || s.i,
        ${identifyAt}, ${identifyAt}, ${session}, 'https://shop.example/p/0', null, '{}', '{}'
      from bench_sessions s where s.kind = 1 and s.nth = 1 and ${range}`.execute(db);
    events += Number(steps.numAffectedRows ?? 0) + Number(identifies.numAffectedRows ?? 0);
    step(`events of persons up to ${Math.min(persons, lo + EVENT_CHUNK - 1)}: ${events}`);
  }
  for (const index of indexes) await run(sql.raw(index));
  if (bypass) {
    step('events indexed');
    await setBypassedTriggers(store, true);
    await fillTriggerKeptTables(store);
    step('trigger-kept tables filled');
  }
  for (const table of ['bench_people', 'bench_sessions', 'bench_values'])
    await run(sql`drop table ${sql.table(table)}`);
  if (!sqlite)
    await run(sql`select setval(pg_get_serial_sequence('persons', 'id'), (select max(id) from persons))`);
  await run(sql`analyze`);
  step('indexes and analyze');
  return { events };
}

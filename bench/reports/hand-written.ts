import { sql } from 'kysely';
import type { Db } from '../../packages/server/src/storage/store.js';

/**
 * The baseline: conversion to `purchase` by membership level over [from, to), written by hand as
 * one query with the same meaning as the report (persons through user id, else device; crawler
 * devices left out). Keys come back as stored JSON text.
 */
export async function handWrittenConversion(db: Db, projectId: string, from: number, to: number) {
  const { rows } = await sql<{ key: string | null; visitors: number | string; converters: number | string }>`
    select a.value as key, count(*) as visitors, sum(v.converted) as converters
    from (select coalesce(pu.id, d.person_id) as person_id,
                 max(case when e.type = 'track' and e.name = 'purchase' then 1 else 0 end) as converted
          from events e
          left join persons pu on pu.project_id = e.project_id and pu.user_id = e.user_id
          left join devices d on d.project_id = e.project_id and d.anonymous_id = e.anonymous_id
          where e.project_id = ${projectId} and e.timestamp >= ${from} and e.timestamp < ${to}
            and coalesce(d.device_type, '') <> 'bot'
          group by coalesce(pu.id, d.person_id)) v
    left join person_attributes a on a.person_id = v.person_id and a.name = 'membership_level'
    where v.person_id is not null
    group by a.value`.execute(db);
  return rows.map((row) => ({
    key: row.key,
    visitors: Number(row.visitors),
    converters: Number(row.converters),
  }));
}

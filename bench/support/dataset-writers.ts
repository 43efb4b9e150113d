import Database from 'better-sqlite3';
import pg from 'pg';
import type { AttributeValue } from '../../packages/server/src/attributes/attribute-operation.js';
import { typedAttributeColumns } from '../../packages/server/src/attributes/typed-attribute-value.js';
import { createProject } from '../../packages/server/src/projects/create-project.js';
import { findProjectByWriteKey } from '../../packages/server/src/storage/project-repository.js';
import { openStore } from '../../packages/server/src/storage/store.js';
import { DATASET_ATTRIBUTES, type DatasetSink } from './dataset.js';

/** A migrated database with one project, being filled by the dataset generator. */
export interface DatasetTarget {
  projectId: string;
  sink: DatasetSink;
  /** Rebuilds the indexes set aside during the load, records attribute definitions, analyses. */
  finish(): Promise<void>;
}

async function newProject(location: string): Promise<string> {
  const store = openStore(location);
  await store.migrate();
  const { write_key } = await createProject(store, 'bench shop');
  const project = await findProjectByWriteKey(store.db, write_key);
  await store.close();
  if (!project) throw new Error('the project was not created');
  return project.id;
}

/** The typed columns conditions compare (as every write of the server fills them). */
const typed = (value: string) => typedAttributeColumns(JSON.parse(value) as AttributeValue);

const definitions = (projectId: string, at: number) =>
  Object.entries(DATASET_ATTRIBUTES).map(([name, type]) => [
    projectId,
    name,
    type,
    'inferred',
    0,
    0,
    1,
    at,
    at,
  ]);

/**
 * SQLite: prepared single-row statements on one connection in large transactions, with the event
 * indexes dropped during the load and built again after (a sorted build beats a million
 * scattered inserts).
 */
export async function sqliteDatasetTarget(file: string): Promise<DatasetTarget> {
  const projectId = await newProject(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  const indexes = db
    .prepare(
      "select name, sql from sqlite_master where type = 'index' and tbl_name = 'events' and sql is not null",
    )
    .all() as { name: string; sql: string }[];
  for (const index of indexes) db.exec(`drop index ${index.name}`);
  const now = Date.now();
  const insertEvent = db.prepare(
    `insert into events (project_id, message_id, type, name, anonymous_id, user_id, timestamp, received_at,
       session_id, url, referrer, properties, context) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}', '{}')`,
  );
  const insertPerson = db.prepare(
    `insert into persons (id, project_id, user_id, created_at, first_seen, last_seen, bound_at, imported_at)
     values (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertDevice = db.prepare(
    `insert into devices (project_id, anonymous_id, person_id, first_seen, last_seen, user_agent, device_type,
       session_count) values (?, ?, ?, ?, ?, ?, ?, 1)`,
  );
  const insertAttribute = db.prepare(
    `insert into person_attributes (project_id, person_id, name, value, updated_at, text_value, num_value,
       time_value, bool_value, items) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const inTransaction = <T>(rows: T[], write: (row: T) => void) =>
    db.transaction(() => {
      for (const row of rows) write(row);
    })();
  return {
    projectId,
    sink: {
      async events(rows) {
        inTransaction(rows, (e) =>
          insertEvent.run(
            projectId,
            e.message_id,
            e.type,
            e.name,
            e.anonymous_id,
            e.user_id,
            e.timestamp,
            e.timestamp,
            e.session_id,
            e.url,
            e.referrer,
          ),
        );
      },
      async persons(rows) {
        inTransaction(rows, (p) =>
          insertPerson.run(
            p.id,
            projectId,
            p.user_id,
            p.first_seen,
            p.first_seen,
            p.last_seen,
            p.user_id ? p.first_seen : null,
            p.user_id ? now : null,
          ),
        );
      },
      async devices(rows) {
        inTransaction(rows, (d) =>
          insertDevice.run(
            projectId,
            d.anonymous_id,
            d.person_id,
            d.first_seen,
            d.last_seen,
            d.user_agent,
            d.device_type,
          ),
        );
      },
      async attributes(rows) {
        inTransaction(rows, (a) => {
          const t = typed(a.value);
          insertAttribute.run(
            projectId,
            a.person_id,
            a.name,
            a.value,
            now,
            t.text_value,
            t.num_value,
            t.time_value,
            t.bool_value,
            t.items,
          );
        });
      },
    },
    async finish() {
      for (const index of indexes) db.exec(index.sql);
      const insertDefinition = db.prepare(
        `insert into attribute_definitions (project_id, name, type, type_source, from_sdk, from_server, from_import,
           first_seen, last_seen) values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const row of definitions(projectId, now)) insertDefinition.run(...row);
      db.exec('analyze');
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}

/**
 * PostgreSQL: one multi-row `insert ... select from unnest($1::text[], ...)` per batch, the
 * event indexes dropped during the load and built again after.
 */
export async function postgresDatasetTarget(url: string): Promise<DatasetTarget> {
  const projectId = await newProject(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows: indexes } = await client.query<{ indexname: string; indexdef: string }>(
    "select indexname, indexdef from pg_indexes where tablename = 'events' and schemaname = current_schema() and indexname not like '%pkey'",
  );
  for (const index of indexes) await client.query(`drop index ${index.indexname}`);
  const now = Date.now();
  return {
    projectId,
    sink: {
      async events(rows) {
        await client.query(
          `insert into events (project_id, message_id, type, name, anonymous_id, user_id, timestamp, received_at,
             session_id, url, referrer, properties, context)
           select $1, m, t, n, a, u, ts, ts, s, url, r, '{}', '{}'
           from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[], $10::text[])
             as x(m, t, n, a, u, ts, s, url, r)`,
          [
            projectId,
            rows.map((e) => e.message_id),
            rows.map((e) => e.type),
            rows.map((e) => e.name),
            rows.map((e) => e.anonymous_id),
            rows.map((e) => e.user_id),
            rows.map((e) => e.timestamp),
            rows.map((e) => e.session_id),
            rows.map((e) => e.url),
            rows.map((e) => e.referrer),
          ],
        );
      },
      async persons(rows) {
        await client.query(
          `insert into persons (id, project_id, user_id, created_at, first_seen, last_seen, bound_at, imported_at)
           select id, $1, u, f, f, l, case when u is null then null else f end, case when u is null then null else $5::bigint end
           from unnest($2::bigint[], $3::text[], $4::bigint[], $6::bigint[]) as x(id, u, f, l)`,
          [
            projectId,
            rows.map((p) => p.id),
            rows.map((p) => p.user_id),
            rows.map((p) => p.first_seen),
            now,
            rows.map((p) => p.last_seen),
          ],
        );
      },
      async devices(rows) {
        await client.query(
          `insert into devices (project_id, anonymous_id, person_id, first_seen, last_seen, user_agent, device_type, session_count)
           select $1, a, p, f, l, ua, dt, 1
           from unnest($2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[], $7::text[]) as x(a, p, f, l, ua, dt)`,
          [
            projectId,
            rows.map((d) => d.anonymous_id),
            rows.map((d) => d.person_id),
            rows.map((d) => d.first_seen),
            rows.map((d) => d.last_seen),
            rows.map((d) => d.user_agent),
            rows.map((d) => d.device_type),
          ],
        );
      },
      async attributes(rows) {
        const t = rows.map((a) => typed(a.value));
        await client.query(
          `insert into person_attributes (project_id, person_id, name, value, updated_at, text_value, num_value,
             time_value, bool_value, items)
           select $1, p, n, v, $5, tx, nv, tv, bv, it
           from unnest($2::bigint[], $3::text[], $4::text[], $6::text[], $7::float8[], $8::bigint[], $9::int[], $10::text[])
             as x(p, n, v, tx, nv, tv, bv, it)`,
          [
            projectId,
            rows.map((a) => a.person_id),
            rows.map((a) => a.name),
            rows.map((a) => a.value),
            now,
            t.map((c) => c.text_value),
            t.map((c) => c.num_value),
            t.map((c) => c.time_value),
            t.map((c) => c.bool_value),
            t.map((c) => c.items),
          ],
        );
      },
    },
    async finish() {
      for (const index of indexes) await client.query(index.indexdef);
      for (const row of definitions(projectId, now)) {
        await client.query(
          `insert into attribute_definitions (project_id, name, type, type_source, from_sdk, from_server, from_import,
             first_seen, last_seen) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          row,
        );
      }
      await client.query(
        "select setval(pg_get_serial_sequence('persons', 'id'), (select max(id) from persons))",
      );
      await client.query('analyze');
      await client.end();
    },
  };
}

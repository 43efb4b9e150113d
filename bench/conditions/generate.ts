import Database from 'better-sqlite3';
import { typedColumnsOfJson } from '../../packages/server/src/attributes/typed-attribute-value.js';
import { openStore } from '../../packages/server/src/storage/store.js';

const N = Number(process.argv[2] ?? 100000);
const file = `/tmp/condbench/db-${N}.db`;
const store = openStore(file);
await store.migrate();
await store.close();
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = OFF');
const now = Date.parse('2026-06-15T12:00:00Z');
const DAY = 86400000;
const levels = ['bronze', 'silver', 'gold', 'diamond'];
const insP = db.prepare(
  'insert into persons (id, project_id, user_id, created_at, first_seen, last_seen, bound_at, imported_at) values (?,?,?,?,?,?,?,?)',
);
const insD = db.prepare(
  'insert into devices (project_id, anonymous_id, person_id, first_seen, last_seen, session_count, device_type) values (?,?,?,?,?,?,?)',
);
const insA = db.prepare(
  'insert into person_attributes (project_id, person_id, name, value, updated_at, text_value, num_value, time_value, bool_value, items) values (?,?,?,?,?,?,?,?,?,?)',
);
const insE = db.prepare(
  "insert into events (project_id, message_id, type, name, anonymous_id, user_id, timestamp, received_at, session_id, url, referrer, properties, context) values (?,?,?,?,?,?,?,?,?,?,?,'{}','{}')",
);
let seed = 42;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
db.transaction(() => {
  let m = 0;
  for (let i = 1; i <= N; i++) {
    const identified = rnd() < 0.6;
    const userId = identified ? `user-${i}` : null;
    insP.run(i, 'p1', userId, now, now - 90 * DAY, now, identified ? now : null, null);
    const anon = `anon-${i}`;
    insD.run(
      'p1',
      anon,
      i,
      now - 90 * DAY,
      now,
      1 + Math.floor(rnd() * 5),
      rnd() < 0.5 ? 'mobile' : 'desktop',
    );
    const attrs: [string, unknown][] = [
      ['membership_level', levels[Math.floor(rnd() * 4)]],
      ['age', 18 + Math.floor(rnd() * 60)],
      ['city', `city-${Math.floor(rnd() * 100)}`],
      ['signed_up', new Date(now - Math.floor(rnd() * 900) * DAY).toISOString()],
      ['vip', rnd() < 0.1],
    ];
    for (const [name, value] of attrs) {
      const json = JSON.stringify(value);
      const t = typedColumnsOfJson(json);
      insA.run('p1', i, name, json, now, t.text_value, t.num_value, t.time_value, t.bool_value, t.items);
    }
    const events = Math.floor(rnd() * 20);
    for (let k = 0; k < events; k++) {
      const ts = now - Math.floor(rnd() * 90 * DAY);
      const r = rnd();
      const name = r < 0.05 ? 'purchase' : r < 0.3 ? null : 'click';
      const signed = identified && rnd() < 0.5;
      insE.run(
        'p1',
        `m${++m}`,
        name === null ? 'page' : 'track',
        name,
        anon,
        signed ? userId : null,
        ts,
        ts,
        's1',
        name === null ? `https://shop.example/p/${k}` : null,
        null,
      );
    }
  }
})();
db.exec('analyze');
console.log('done', N, db.prepare('select count(*) n from events').get());

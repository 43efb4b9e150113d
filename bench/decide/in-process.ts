// Server CPU per decide without HTTP or a load generator: decides answered one after another
// through `app.inject` on an SQLite file, timed with process.cpuUsage (user + system).
//   node --import tsx bench/decide/in-process.ts [persons=100000] [decides=3000] [concurrency=8]
// BENCH_STORE=postgres://…/db (an empty database) measures PostgreSQL instead (Node CPU only).
// A quick figure while changing decide; bench/decide/run.ts is the measurement of record.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../packages/server/src/http/build-app.js';
import { createProject } from '../../packages/server/src/projects/create-project.js';
import { openStore } from '../../packages/server/src/storage/store.js';
import { fiftyExperiences } from './experiences.js';
import { seedPersons } from './seed-persons.js';

/** Bytes this process has read and written through system calls so far (Linux /proc: rchar, wchar). */
function ioBytes(): { read: number; written: number } {
  const fields = Object.fromEntries(
    readFileSync('/proc/self/io', 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(': ')),
  );
  return { read: Number(fields.rchar), written: Number(fields.wchar) };
}

const persons = Number(process.argv[2] ?? 100_000);
const decides = Number(process.argv[3] ?? 3000);
/** Decides in flight at once (so that writes can share a commit, as under steady load). */
const concurrency = Number(process.argv[4] ?? 8);
const dir = mkdtempSync(join(tmpdir(), 'acquaint-decide-inproc-'));
const store = openStore(process.env.BENCH_STORE ?? join(dir, 'acquaint.db'));
try {
  await store.migrate();
  const project = await createProject(store, 'Bench shop');
  await seedPersons(store, project.project_id, persons, Date.now());
  const app = await buildApp({ store, config: { decideRateLimitPerSecond: 1_000_000 } });
  const auth = { authorization: `Bearer ${project.api_key}` };
  for (const body of fiftyExperiences()) {
    const created = await app.inject({
      method: 'POST',
      url: '/api/experiences',
      headers: auth,
      payload: body,
    });
    await app.inject({ method: 'POST', url: `/api/experiences/${created.json().id}/publish`, headers: auth });
  }
  const decide = (i: number) =>
    app.inject({
      method: 'POST',
      url: '/v1/decide',
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify({
        writeKey: project.write_key,
        anonymousId: `anon-${1 + ((i * 7919) % persons)}`,
        url: 'https://shop.example/home?utm_source=newsletter',
        sessionId: 's1',
      }),
    });
  for (let i = 0; i < 300; i++) await decide(persons - i); // warm-up
  for (const round of ['first time (writes 10 assignments)', 'seen before (reads them)']) {
    console.log(`#round-start ${round}`);
    const before = process.cpuUsage();
    const ioBefore = ioBytes();
    const wall = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < decides) {
        const answer = await decide(next++);
        if (answer.statusCode !== 200) throw new Error(answer.body);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const used = process.cpuUsage(before);
    console.log(`#round-end ${round}`);
    const io = ioBytes();
    const kb = (bytes: number) => (bytes / 1024 / decides).toFixed(1);
    console.log(
      `${round}: ${((used.user + used.system) / 1000 / decides).toFixed(3)} CPU ms/decide (user ${(used.user / 1000 / decides).toFixed(3)}, sys ${(used.system / 1000 / decides).toFixed(3)}), wall ${((performance.now() - wall) / decides).toFixed(3)} ms, ${concurrency} at once; I/O KB/decide read ${kb(io.read - ioBefore.read)} written ${kb(io.written - ioBefore.written)}; load ${loadavg()[0].toFixed(1)}`,
    );
  }
  await app.close();
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

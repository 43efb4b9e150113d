// Every benchmark at small default sizes, one after the other, so the whole set finishes in a few
// minutes; each prints its own figure next to its baseline measured in the same run (see
// BENCHMARKS.md). Needs PostgreSQL (TEST_POSTGRES_URL / BENCH_POSTGRES_URL, default
// postgres://postgres@127.0.0.1:5432/test) and, for the JetStream one, NATS with JetStream
// (BENCH_NATS_URL, default nats://127.0.0.1:4222).
//   npm run bench                      # builds, then runs all of them
//   npm run bench -- ingest,import     # only these
// The full sizes are in each script's header and in BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';

interface Bench {
  name: string;
  script: string;
  args?: string[];
  env?: Record<string, string>;
}

const BENCHES: Bench[] = [
  { name: 'ingest', script: 'bench/ingest/run.ts', env: { BENCH_SECONDS: '5' } },
  { name: 'ingest-apply', script: 'bench/ingest/apply-log.ts', args: ['300'] },
  { name: 'ingest-jetstream', script: 'bench/ingest/jetstream.ts', env: { BENCH_SECONDS: '5' } },
  { name: 'import', script: 'bench/import/run.ts', env: { BENCH_ROWS: '100000' } },
  { name: 'groups', script: 'bench/groups/run.ts', args: ['10k', 'sqlite,postgres'] },
  { name: 'reports', script: 'bench/reports/run.ts', args: ['10k', 'sqlite,postgres'] },
  {
    name: 'decide',
    script: 'bench/decide/run.ts',
    args: ['10000', 'sqlite,postgres'],
    env: { BENCH_SECONDS: '5' },
  },
  { name: 'webhooks', script: 'bench/webhooks/run.ts', args: ['10000', 'sqlite'] },
];

const only = process.argv[2]?.split(',');
const chosen = only ? BENCHES.filter((b) => only.includes(b.name)) : BENCHES;
const machine = `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 1024 ** 3).toFixed(0)} GB`;
console.log(`# npm run bench, ${new Date().toISOString()}, ${machine}, Node ${process.version}`);

const results: string[] = [];
for (const bench of chosen) {
  const load = loadavg()[0].toFixed(1);
  console.log(
    `\n## ${bench.name} (node --import tsx ${[bench.script, ...(bench.args ?? [])].join(' ')}), load ${load}`,
  );
  const start = performance.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', bench.script, ...(bench.args ?? [])], {
    stdio: 'inherit',
    env: { ...process.env, ...bench.env },
  });
  const seconds = ((performance.now() - start) / 1000).toFixed(0);
  const outcome = run.status === 0 ? 'ok' : `FAILED (exit ${run.status ?? run.signal})`;
  results.push(
    `${bench.name.padEnd(18)} ${outcome.padEnd(20)} ${seconds} s, load ${load} → ${loadavg()[0].toFixed(1)}`,
  );
}
console.log(`\n# summary\n${results.join('\n')}`);
if (results.some((line) => line.includes('FAILED'))) process.exitCode = 1;

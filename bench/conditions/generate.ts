// Fills /tmp/condbench/db-<persons>.db with the shared shop dataset (bench/support/dataset.ts)
// for measure.ts.   node --import tsx bench/conditions/generate.ts [persons]
import { mkdirSync, rmSync } from 'node:fs';
import { generateDataset } from '../support/dataset.js';
import { sqliteDatasetTarget } from '../support/dataset-writers.js';

const persons = Number(process.argv[2] ?? 100000);
const file = `/tmp/condbench/db-${persons}.db`;
mkdirSync('/tmp/condbench', { recursive: true });
for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
const target = await sqliteDatasetTarget(file);
const { events } = await generateDataset({ persons }, target.sink);
await target.finish();
console.log('done', persons, 'persons', events, 'events');

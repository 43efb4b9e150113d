import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { IngestionWarningRetention } from '../../src/ingestion/ingestion-warning-retention.js';
import { recordIngestionWarnings } from '../../src/storage/ingestion-warning-repository.js';
import { apiClient } from '../api/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse('2026-03-31T12:00:00.000Z');

describeEachBackend('ingestion warning retention', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    // The app's own pass keeps these fixed-time warnings; the tests run passes of their own.
    const config = { ingestionWarningRetentionDays: 100 * 365 };
    server = await startTestServer({ backend, listen: false, config });
  });
  afterAll(() => server?.close());

  /** Warnings for messages `msg-<age>-<n>`, received `age` days before `now`. */
  const warn = (ageDays: number, count: number, now = NOW) =>
    server.store.transaction((tx) =>
      recordIngestionWarnings(
        tx,
        server.projectId,
        Array.from({ length: count }, (_, n) => ({
          index: n,
          messageId: `msg-${ageDays}-${n}`,
          code: 'IDENTIFIED_ON_ANOTHER_USER',
          message: 'kept on the device of another user',
        })),
        now - ageDays * DAY,
      ),
    );
  const listed = async () => {
    const answer = await apiClient(server).get('/api/ingestion/warnings?limit=1000');
    return (answer.json().warnings as { message_id: string }[]).map((w) => w.message_id.split('-')[1]);
  };

  it(`${backend}: warnings older than the retention are deleted in batches, newer ones stay`, async () => {
    await warn(45, 7);
    await warn(31, 3);
    await warn(29, 2);
    await warn(0, 1);
    const retention = new IngestionWarningRetention(server.store, { retentionDays: 30, batchSize: 4 });
    expect(await retention.prune(NOW)).toBe(10);
    expect(await listed()).toEqual(['0', '29', '29']);
    expect(await retention.prune(NOW)).toBe(0);
    // Two days on, the 29-day-old ones are past the retention too.
    expect(await retention.prune(NOW + 2 * DAY)).toBe(2);
    expect(await listed()).toEqual(['0']);
  });

  it(`${backend}: started, it prunes at once and then every interval, until stopped`, async () => {
    const now = Date.now();
    const retention = new IngestionWarningRetention(server.store, { retentionDays: 30, intervalMs: 50 });
    await warn(1, 1, now);
    await warn(60, 2, now);
    retention.start();
    await expect.poll(listed, { timeout: 5000 }).toEqual(['1']);
    await warn(90, 1, now);
    await expect.poll(listed, { timeout: 5000 }).toEqual(['1']);
    await retention.stop();
    await warn(90, 1, now);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await listed()).toEqual(['90', '1']);
  });
});

it('the retention is 30 days unless ACQUAINT_INGESTION_WARNINGS_RETENTION_DAYS says otherwise', () => {
  expect(loadConfig({}, {}).ingestionWarningRetentionDays).toBe(30);
  const env = { ACQUAINT_INGESTION_WARNINGS_RETENTION_DAYS: '7' };
  expect(loadConfig({}, env).ingestionWarningRetentionDays).toBe(7);
  expect(() => loadConfig({}, { ACQUAINT_INGESTION_WARNINGS_RETENTION_DAYS: '0' })).toThrow(/positive/);
});

import { afterEach, expect, it } from 'vitest';
import { JetStreamQueue } from '../../src/ingestion/jetstream-queue.js';
import type { NormalizedMessage } from '../../src/ingestion/normalize-message.js';
import { type OwnNats, startOwnNats } from '../support/test-nats.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const message = (n: number) =>
  ({ type: 'track', event: `e${n}`, anonymousId: 'a', messageId: `m${n}` }) as unknown as NormalizedMessage;

// A restarted NATS forgets the partition's consumer (kept in memory); a pull on it then never
// answers. The reader must fail within its grace so the applier reads again, not wait for ever.
it('a partition read survives NATS forgetting its consumer: the pull fails and a new reader goes on', async () => {
  const nats: OwnNats = await startOwnNats();
  cleanups.push(() => nats.remove());
  const queue = await JetStreamQueue.open(nats.url, 'reader-restart-test', 'k1');
  cleanups.push(() => queue.close());
  await queue.publish('p1', 0, queue.encode([message(1)]), Date.now());
  const reader = await queue.openReader(0, 1);
  expect((await reader.next(10, 1_000_000, 500)).map((entry) => entry.seq)).toEqual([1]);

  await nats.stop();
  await nats.start();
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  await queue.publish('p1', 0, queue.encode([message(2)]), Date.now());

  const started = Date.now();
  await expect(reader.next(10, 1_000_000, 500)).rejects.toThrow(/did not answer a pull|reading again/);
  expect(Date.now() - started).toBeLessThan(30_000);
  const again = await queue.openReader(0, 2);
  expect((await again.next(10, 1_000_000, 500)).map((entry) => entry.seq)).toEqual([2]);
}, 60_000);

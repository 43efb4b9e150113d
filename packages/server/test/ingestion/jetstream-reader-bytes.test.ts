import { afterAll, beforeAll, expect, it } from 'vitest';
import { JetStreamQueue, type PartitionReader } from '../../src/ingestion/jetstream-queue.js';
import type { NormalizedMessage } from '../../src/ingestion/normalize-message.js';
import { type OwnNats, startOwnNats } from '../support/test-nats.js';

// A pull with a byte budget that the waiting messages overrun ends with JetStream's "message size
// exceeds maxbytes". The reader must take what fitted and go on, batch after batch, and a message
// larger than the whole budget must still come through: a backlog never stalls its partition.
let nats: OwnNats;
let queue: JetStreamQueue;
beforeAll(async () => {
  nats = await startOwnNats();
  queue = await JetStreamQueue.open(nats.url, 'reader-bytes-test', 'bytes');
}, 60_000);
afterAll(async () => {
  await queue?.close();
  await nats?.remove();
});

const message = (n: number, bytes: number) =>
  ({
    type: 'track',
    event: `e${n}`,
    anonymousId: 'a',
    messageId: `m${n}`,
    propertiesJson: JSON.stringify({ filler: 'x'.repeat(bytes) }),
    contextJson: '{}',
  }) as unknown as NormalizedMessage;

async function readAll(reader: PartitionReader, maxBytes: number, expected: number): Promise<number[][]> {
  const batches: number[][] = [];
  let seen = 0;
  while (seen < expected) {
    const entries = await reader.next(100, maxBytes, 500);
    if (entries.length === 0) break;
    batches.push(entries.map((entry) => entry.seq));
    seen += entries.length;
  }
  return batches;
}

it('a backlog larger than the byte budget is read in batches that fit, in order, none lost', async () => {
  for (let n = 1; n <= 7; n++) await queue.publish('p1', 0, queue.encode([message(n, 30_000)]), Date.now());
  const reader = await queue.openReader(0, 1);
  const batches = await readAll(reader, 70_000, 7);
  expect(batches.flat()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThanOrEqual(2);
}, 60_000);

it('a stream message larger than the whole byte budget is read alone', async () => {
  await queue.publish('p1', 1, queue.encode([message(1, 1_000)]), Date.now());
  await queue.publish('p1', 1, queue.encode([message(2, 200_000)]), Date.now());
  await queue.publish('p1', 1, queue.encode([message(3, 1_000)]), Date.now());
  const reader = await queue.openReader(1, 1);
  const batches = await readAll(reader, 50_000, 3);
  expect(batches.flat()).toHaveLength(3);
  expect(batches).toContainEqual([expect.any(Number)]);
}, 60_000);

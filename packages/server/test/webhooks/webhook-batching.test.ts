import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Store } from '../../src/storage/store.js';
import { insertDeliveries, type NewDelivery } from '../../src/storage/webhook-delivery-repository.js';
import { insertWebhook } from '../../src/storage/webhook-repository.js';
import { DeliveryWorker } from '../../src/webhooks/delivery-worker.js';
import { SecretBox } from '../../src/webhooks/secret-box.js';
import { describeEachBackend, openTestStore } from '../support/test-stores.js';
import { startReceiver, verifySignature } from '../support/webhook-receiver.js';

const SECRET = 'whsec_batching-test';
const TIMEOUT_MS = 2_500;

describeEachBackend(
  'webhooks: batched claims keep order per person, and a hanging receiver holds back no other',
  (backend) => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let hang: Server;
    let hangUrl: string;
    let hanging = 0;
    let mostHanging = 0;

    beforeAll(async () => {
      ({ store, cleanup } = await openTestStore(backend));
      hang = createServer((request) => {
        hanging += 1;
        mostHanging = Math.max(mostHanging, hanging);
        request.on('close', () => {
          hanging -= 1;
        });
      });
      await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
      hangUrl = `http://127.0.0.1:${(hang.address() as AddressInfo).port}/hang`;
    });
    afterAll(async () => {
      hang.closeAllConnections();
      await new Promise((resolve) => hang.close(resolve));
      await cleanup();
    });

    it(`${backend}: 4 slots, 40 deliveries to a receiver that hangs first: the other's 30 arrive before any timeout, each person's in order, one at a time`, async () => {
      const secrets = SecretBox.fromEnvironment({});
      const receiver = await startReceiver();
      const open = new Set<unknown>();
      const overlaps: string[] = [];
      receiver.respondWith((received, response) => {
        const person = received.payload.data.person_id;
        if (open.has(person)) overlaps.push(received.payload.id);
        open.add(person);
        setTimeout(() => {
          open.delete(person);
          response.end('ok');
        }, 20);
      });
      const now = Date.now();
      const subscription = (id: string, url: string) =>
        insertWebhook(store.db, {
          id,
          project_id: 'prj_batching',
          url,
          events: JSON.stringify(['user.identified']),
          group_ids: null,
          attributes: '[]',
          secret_sealed: secrets.seal(SECRET),
          status: 'active',
          failing_since: null,
          created_at: now,
          updated_at: now,
        });
      await subscription('wh_hang', hangUrl);
      await subscription('wh_good', receiver.url);
      const delivery = (id: string, webhookId: string, personId: number, round: number): NewDelivery => ({
        id,
        webhook_id: webhookId,
        project_id: 'prj_batching',
        person_id: personId,
        type: 'user.identified',
        payload: JSON.stringify({
          id,
          type: 'user.identified',
          occurred_at: new Date(now).toISOString(),
          project_id: 'prj_batching',
          data: { person_id: personId, round },
        }),
        status: 'pending',
        next_attempt_at: now,
        give_up_at: now + 600_000,
        lease_until: null,
        last_error: null,
        created_at: now,
        finished_at: null,
      });
      // The hanging receiver's deliveries come first; then 10 persons with 3 deliveries each.
      const rows = Array.from({ length: 40 }, (_, i) => delivery(`dlv_hang_${i}`, 'wh_hang', 1000 + i, 0));
      for (let round = 0; round < 3; round += 1)
        for (let person = 0; person < 10; person += 1)
          rows.push(delivery(`dlv_good_${person}_${round}`, 'wh_good', person, round));
      await store.transaction((tx) => insertDeliveries(tx.db, rows));

      const worker = new DeliveryWorker(store, secrets, {
        timeoutMs: TIMEOUT_MS,
        retryBaseMs: 60_000,
        pollMs: 50,
        allowPrivate: true,
        concurrency: 4,
      });
      const started = Date.now();
      worker.start();
      try {
        await receiver.waitFor((all) => all.length === 30, TIMEOUT_MS);
        expect(Date.now() - started).toBeLessThan(TIMEOUT_MS);
      } finally {
        await worker.stop();
        await receiver.close();
      }
      // The hanging one had at most 3 of the 4 slots; each of its attempts failed by timeout.
      expect(mostHanging).toBeGreaterThan(0);
      expect(mostHanging).toBeLessThanOrEqual(3);
      expect(overlaps).toEqual([]);
      for (let person = 0; person < 10; person += 1) {
        const rounds = receiver.received
          .filter((r) => r.payload.data.person_id === person)
          .map((r) => r.payload.data.round);
        expect(rounds).toEqual([0, 1, 2]);
      }
      for (const r of receiver.received) expect(verifySignature(SECRET, r.body, r.signature)).toBe(true);
      // Every attempt recorded: the 30 delivered once each, the hung ones failed and due again.
      const good = await store.db
        .selectFrom('webhook_deliveries')
        .select(['status', 'attempts', 'lease_until'])
        .where('webhook_id', '=', 'wh_good')
        .execute();
      expect(good).toHaveLength(30);
      for (const d of good) expect(d).toEqual({ status: 'delivered', attempts: 1, lease_until: null });
      const attempts = await store.db
        .selectFrom('webhook_attempts')
        .select(['delivery_id', 'status', 'error'])
        .where('delivery_id', 'like', 'dlv_hang_%')
        .execute();
      expect(attempts.length).toBe(mostHanging);
      for (const a of attempts)
        expect(a).toEqual({
          delivery_id: expect.any(String),
          status: null,
          error: `no complete answer within ${TIMEOUT_MS / 1000} s`,
        });
      const hung = await store.db
        .selectFrom('webhook_deliveries')
        .select(['status', 'attempts', 'next_attempt_at'])
        .where(
          'id',
          'in',
          attempts.map((a) => a.delivery_id),
        )
        .execute();
      for (const d of hung) {
        expect(d.status).toBe('pending');
        expect(d.attempts).toBe(1);
        expect(Number(d.next_attempt_at)).toBeGreaterThan(now + 50_000);
      }
    }, 30_000);
  },
);

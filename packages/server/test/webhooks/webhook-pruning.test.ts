import { afterAll, beforeAll, expect, it } from 'vitest';
import { insertDeliveries, type NewDelivery } from '../../src/storage/webhook-delivery-repository.js';
import { DeliveryWorker } from '../../src/webhooks/delivery-worker.js';
import { SecretBox } from '../../src/webhooks/secret-box.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';

const DAY = 24 * 60 * 60 * 1000;

describeEachBackend('webhooks: finished deliveries are pruned after the retention', (backend) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ backend, listen: false, config: { webhooksAllowPrivate: true } });
  });
  afterAll(async () => {
    await server.close();
  });

  it(`${backend}: delivered and failed ones older than the retention go with their attempts; the rest stay`, async () => {
    const now = Date.now();
    const webhookId = 'wh_prune';
    const delivery = (id: string, status: string, finishedAt: number | null): NewDelivery => ({
      id,
      webhook_id: webhookId,
      project_id: server.projectId,
      person_id: null,
      type: 'user.identified',
      payload: '{}',
      status,
      next_attempt_at: now,
      give_up_at: now,
      lease_until: null,
      last_error: null,
      created_at: now - 40 * DAY,
      finished_at: finishedAt,
    });
    await server.store.transaction(async (tx) => {
      await insertDeliveries(tx.db, [
        delivery('dlv_old_delivered', 'delivered', now - 31 * DAY),
        delivery('dlv_old_failed', 'failed', now - 40 * DAY),
        delivery('dlv_recent', 'delivered', now - 29 * DAY),
        delivery('dlv_pending', 'pending', null),
      ]);
      await tx.db
        .insertInto('webhook_attempts')
        .values([
          {
            delivery_id: 'dlv_old_delivered',
            attempt: 1,
            at: now - 31 * DAY,
            status: 200,
            duration_ms: 3,
            error: null,
          },
          {
            delivery_id: 'dlv_recent',
            attempt: 1,
            at: now - 29 * DAY,
            status: 200,
            duration_ms: 3,
            error: null,
          },
        ])
        .execute();
    });
    const worker = new DeliveryWorker(server.store, SecretBox.fromEnvironment({}), {
      timeoutMs: 1000,
      retryBaseMs: 1000,
      pollMs: 1000,
      allowPrivate: true,
      retentionDays: 30,
    });
    expect(await worker.prune(now)).toBe(2);
    const left = await server.store.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('webhook_id', '=', webhookId)
      .orderBy('id')
      .execute();
    expect(left.map((d) => d.id)).toEqual(['dlv_pending', 'dlv_recent']);
    const attempts = await server.store.db
      .selectFrom('webhook_attempts')
      .select('delivery_id')
      .where('delivery_id', 'like', 'dlv_%')
      .execute();
    expect(attempts.map((a) => a.delivery_id)).toEqual(['dlv_recent']);
    expect(await worker.prune(now)).toBe(0);
  });
});

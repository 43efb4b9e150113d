import type { AcquaintConfig } from '../config.js';
import type { Ingestion } from '../ingestion/ingestion.js';
import type { Metrics } from '../operations/metrics.js';
import type { DecideDefinitions } from '../personalization/decide-definitions.js';
import type { Store } from '../storage/store.js';
import type { DeliveryWorker } from '../webhooks/delivery-worker.js';
import type { GroupWindowPass } from '../webhooks/group-window-pass.js';
import type { SecretBox } from '../webhooks/secret-box.js';
import type { Authenticator } from './authenticate.js';

/** What every route plugin is given: the store, the limits, authentication, ingestion and metrics. */
export interface AppContext {
  store: Store;
  config: AcquaintConfig;
  auth: Authenticator;
  /** How tracking messages reach the database (directly, or through the ingestion log). */
  ingestion: Ingestion;
  /** Prometheus metrics; a route observes what only it knows (`metrics.decideSeconds`). */
  metrics: Metrics;
  /** Webhooks: the key that seals signing secrets, and this process's delivery worker. */
  webhooks: { secrets: SecretBox; worker: DeliveryWorker; groupPass: GroupWindowPass };
  /** Decide's memory of each project's experiences, groups and attribute types; changes clear it. */
  definitions: DecideDefinitions;
}

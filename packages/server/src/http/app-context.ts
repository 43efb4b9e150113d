import type { AcquaintConfig } from '../config.js';
import type { Store } from '../storage/store.js';
import type { Authenticator } from './authenticate.js';

/** What every route plugin is given: the store, the limits and authentication. */
export interface AppContext {
  store: Store;
  config: AcquaintConfig;
  auth: Authenticator;
}

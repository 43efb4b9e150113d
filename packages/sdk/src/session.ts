import { type IdentityStore, SESSION } from './identity-store.js';

/**
 * The id of the current session, recording activity now.
 *
 * strategy: the store holds `id.lastActivity` (milliseconds). Activity within `timeout` of the
 * last one continues the session; otherwise (or with none yet) a new session starts, whose id is
 * its start time, which sorts and reads well and is unique enough within one anonymous id.
 */
export function touchSession(store: IdentityStore, timeout: number, now = Date.now()): string {
  const [id, lastActivity] = store.read(SESSION).split('.');
  const sessionId = id && now - Number(lastActivity) <= timeout ? id : String(now);
  store.write(SESSION, `${sessionId}.${now}`);
  return sessionId;
}

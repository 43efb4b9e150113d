import { readCookie, readLocal, writeCookie, writeLocal } from './browser-storage.js';
import { uuid } from './ids.js';

const ANONYMOUS_ID = 'acq_aid';
const USER_ID = 'acq_uid';
const USER_HASH = 'acq_uh';
const OPTED_OUT = 'acq_off';
/** Key of the session (`id.lastActivity`), kept with the ids so sub-domains share one session. */
export const SESSION = 'acq_sid';

/**
 * The visitor's persisted identity: anonymous id, user id, identity-verification hash, opt-out.
 *
 * strategy: each value lives in a first-party cookie (shared by sub-domains when `cookieDomain`
 * is set), mirrored in localStorage and in memory. Reading prefers the cookie; when it is gone
 * (cleared, or expired early by the browser's tracking protection) the localStorage copy
 * restores it, and memory keeps the page working when both are blocked. Forgetting a value
 * writes an empty string rather than deleting the cookie, so a logout on one sub-domain wins
 * over another sub-domain's stale localStorage copy.
 */
export class IdentityStore {
  private memory: Record<string, string> = {};

  constructor(private cookieDomain?: string) {}

  read(key: string): string {
    const cookie = readCookie(key);
    const local = readLocal(key);
    const value = cookie ?? local ?? this.memory[key] ?? '';
    if (value !== cookie || value !== local) this.write(key, value);
    return value;
  }

  write(key: string, value: string): void {
    this.memory[key] = value;
    writeCookie(key, value, this.cookieDomain);
    writeLocal(key, value);
  }

  /** The anonymous id of this browser, created on first use. */
  anonymousId(): string {
    return this.read(ANONYMOUS_ID) || this.renewAnonymousId();
  }

  renewAnonymousId(): string {
    const id = uuid();
    this.write(ANONYMOUS_ID, id);
    this.write(SESSION, '');
    return id;
  }

  userId(): string | undefined {
    return this.read(USER_ID) || undefined;
  }

  userHash(): string | undefined {
    return this.read(USER_HASH) || undefined;
  }

  setUser(userId: string, userHash = ''): void {
    this.write(USER_ID, userId);
    this.write(USER_HASH, userHash);
  }

  optedOut(): boolean {
    return this.read(OPTED_OUT) === '1';
  }

  /** Opting out also forgets every id, so an opted-out browser holds no identifier at all. */
  setOptedOut(optedOut: boolean): void {
    if (optedOut) for (const key of [ANONYMOUS_ID, USER_ID, USER_HASH, SESSION]) this.write(key, '');
    this.write(OPTED_OUT, optedOut ? '1' : '');
  }
}

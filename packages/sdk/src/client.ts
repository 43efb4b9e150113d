import { guard, setDebug, warn } from './debug-log.js';
import { Delivery, MAX_REQUEST_BYTES } from './delivery.js';
import { showExperiences } from './experiences.js';
import { IdentityStore } from './identity-store.js';
import { uuid } from './ids.js';
import { captureLanding, messageContext, pageInfo } from './page-context.js';
import { trackPageViews } from './page-views.js';
import { MessageQueue } from './queue.js';
import { sanitizeAttributes } from './sanitize.js';
import { touchSession } from './session.js';
import { byteLength } from './transport.js';
import type { Attributes, IdentifyOptions, InitOptions, Message } from './types.js';
import { readUserIdArgument } from './user-id.js';
import { SDK_VERSION } from './version.js';

const MAX_CALLS_BEFORE_INIT = 100;
const MAX_MESSAGE_BYTES = MAX_REQUEST_BYTES - 1000;
const THIRTY_MINUTES = 1800000;

interface Started {
  store: IdentityStore;
  queue: MessageQueue;
  delivery: Delivery;
  sessionTimeout: number;
  initUserHash?: string;
}

const isObject = (value: unknown): value is Attributes =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `{name: value}` to `{name: [value]}`, for the list operations (union, remove). */
const asLists = (values: Attributes) =>
  Object.fromEntries(
    Object.entries(values).map(([name, value]) => [name, Array.isArray(value) ? value : [value]]),
  );

/** The `acquaint` object. Every method is safe to call at any time: it never throws into the page. */
export function createAcquaint(defaultHost: string) {
  let started: Started | undefined;
  const callsBeforeInit: (() => void)[] = [];

  /**
   * A public method: before init its calls wait (a bounded number) and replay at init; after it,
   * they run unless the visitor opted out.
   */
  function method<A extends unknown[]>(name: string, run: (started: Started, ...args: A) => void) {
    const call = guard((...args: A): void => {
      if (!started) {
        if (callsBeforeInit.length < MAX_CALLS_BEFORE_INIT) callsBeforeInit.push(() => call(...args));
      } else if (name === 'optIn' || name === 'ready' || !started.store.optedOut()) {
        run(started, ...args);
      }
    });
    return call;
  }

  /** Queues a message with the visitor's ids; the verification hash goes with every user id. */
  function send({ store, queue, delivery, sessionTimeout }: Started, fields: Partial<Message>): void {
    const userId = store.userId();
    const message = {
      messageId: uuid(),
      anonymousId: store.anonymousId(),
      userId,
      userHash: userId && store.userHash(),
      timestamp: new Date().toISOString(),
      context: messageContext(touchSession(store, sessionTimeout)),
      ...fields,
    } as Message;
    if (byteLength(JSON.stringify(message)) > MAX_MESSAGE_BYTES) {
      warn(
        `a ${message.type} message was over ${MAX_MESSAGE_BYTES} bytes: sent without its attributes/properties`,
      );
      if (message.traits) message.traits = {};
      if (message.properties) message.properties = {};
    }
    if (byteLength(JSON.stringify(message)) > MAX_MESSAGE_BYTES) {
      warn('dropped it: still too large');
      return;
    }
    queue.add(message);
    delivery.added();
  }

  /**
   * strategy:
   * 1. Read the arguments. `identify(attributes)` and a user id of `''`, null or undefined set
   *    attributes on the current visitor (keeping a known user id). A string, or a finite
   *    number, is a user id; other types and illegal ids (DESIGN §3 rule 1: 'undefined',
   *    '[object Object]'...) are refused with a debug warning, and nothing is sent; so is an
   *    identify with neither a user id nor attributes.
   * 2. A user id other than the stored one means another person is logging in on this browser
   *    without reset(): start a new anonymous id first, so the two never share a device.
   * 3. Store the user id with its verification hash (this call's, else init's, else the one
   *    stored for the same user), then send the identify with the attributes.
   */
  function identify(
    started: Started,
    first?: unknown,
    attributes?: unknown,
    options?: IdentifyOptions,
  ): void {
    if (isObject(first)) [first, attributes, options] = ['', first, attributes as IdentifyOptions];
    const userId = readUserIdArgument(first);
    if (userId === false || (userId === null && !isObject(attributes))) {
      warn(
        userId === false ? 'identify: refused the illegal user id' : 'identify: no user id, no attributes',
        first,
      );
      return;
    }
    const { store } = started;
    const knownUserId = store.userId();
    if (userId !== null) {
      if (knownUserId && knownUserId !== userId) store.renewAnonymousId();
      const storedHash = knownUserId === userId ? store.userHash() : '';
      store.setUser(userId, options?.userHash || started.initUserHash || storedHash);
    }
    send(started, { type: 'identify', traits: sanitizeAttributes(attributes) ?? {} });
  }

  /** An attribute operation, sent as an identify whose traits hold its reserved `$operation` key. */
  const operate = (started: Started, operation: string, value: unknown) =>
    identify(started, '', { [operation]: value });

  const acquaint = {
    version: SDK_VERSION,

    /** Starts the SDK with the project's write key; see InitOptions. Calls made before it wait for it. */
    init: guard((writeKey: unknown, options: InitOptions = {}): void => {
      if (started) {
        warn('init: already started; ignored');
        return;
      }
      setDebug(!!options.debug);
      if (typeof writeKey !== 'string' || !writeKey) {
        warn('init: a write key is required, got', writeKey);
        return;
      }
      const queue = new MessageQueue(`acq_q_${writeKey}`, options.maxQueueSize ?? 500);
      started = {
        store: new IdentityStore(options.cookieDomain),
        queue,
        delivery: new Delivery(queue, {
          url: `${(options.host || defaultHost).replace(/\/+$/, '')}/v1/batch`,
          writeKey,
          flushAt: options.flushAt ?? 20,
          flushInterval: options.flushInterval ?? 1000,
        }),
        sessionTimeout: options.sessionTimeout ?? THIRTY_MINUTES,
        initUserHash: options.userHash,
      };
      captureLanding();
      for (const call of callsBeforeInit.splice(0)) call();
      const host = (options.host || defaultHost).replace(/\/+$/, '');
      const personalise = options.experiences !== false;
      const current = started;
      const decide = () =>
        showExperiences({
          decideUrl: `${host}/v1/decide`,
          body: () => ({
            writeKey,
            anonymousId: current.store.anonymousId(),
            userId: current.store.userId(),
            userHash: current.store.userHash(),
            sessionId: touchSession(current.store, current.sessionTimeout),
          }),
          track: (event, properties) => acquaint.track(event, properties),
          antiFlicker: options.antiFlicker ?? 0,
        });
      if (options.autoPageviews !== false || personalise) {
        trackPageViews(() => {
          if (options.autoPageviews !== false) acquaint.page();
          if (personalise && !current.store.optedOut()) void decide();
        });
      }
    }),

    /** Binds this browser to your user id and sets attributes: identify(userId, attributes?, {userHash}?). */
    identify: method('identify', identify),

    /** Sets attributes only where the person has no value yet. */
    setOnce: method('setOnce', (started, attributes: Attributes) =>
      operate(started, '$set_once', attributes),
    ),

    /** Removes attributes: unset('coupon') or unset(['coupon', 'plan']). */
    unset: method('unset', (started, names: string | string[]) =>
      operate(started, '$unset', Array.isArray(names) ? names : [names]),
    ),

    /** Adds to number attributes: increment('logins') (by 1), increment('points', 5) or increment({points: 5}). */
    increment: method('increment', (started, name: string | Record<string, number>, by = 1) =>
      operate(started, '$increment', typeof name === 'string' ? { [name]: by } : name),
    ),

    /** Appends values to list attributes: append({viewed: 'sku-1'}). */
    append: method('append', (started, values: Attributes) => operate(started, '$append', values)),

    /** Adds values missing from list attributes: union({tags: ['sports', 'golf']}). */
    union: method('union', (started, values: Attributes) => operate(started, '$union', asLists(values))),

    /** Removes values from list attributes: remove({tags: 'golf'}). */
    remove: method('remove', (started, values: Attributes) => operate(started, '$remove', asLists(values))),

    /** Records an event: track('purchase', {amount: 42}). */
    track: method('track', (started, event: unknown, properties?: unknown) => {
      if (typeof event === 'string' && event.trim()) {
        send(started, { type: 'track', event, properties: sanitizeAttributes(properties) ?? {} });
      } else {
        warn('track: an event name is required, got', event);
      }
    }),

    /** Records a page view of the current URL: page(), page(name?, properties?). */
    page: method('page', (started, name?: unknown, properties?: unknown) => {
      if (isObject(name)) [name, properties] = [undefined, name];
      send(started, {
        type: 'page',
        name: typeof name === 'string' ? name : undefined,
        properties: { ...pageInfo(), ...sanitizeAttributes(properties) },
      });
    }),

    /** Logout: forgets the user id and starts a new anonymous id and session. */
    reset: method('reset', ({ store }) => {
      store.setUser('');
      store.renewAnonymousId();
    }),

    /** Stops all tracking on this browser, for good: forgets the ids and drops unsent messages. */
    optOut: method('optOut', ({ store, queue }) => {
      store.setOptedOut(true);
      queue.clear();
    }),

    /** Resumes tracking after optOut, as a new anonymous visitor. */
    optIn: method('optIn', ({ store }) => store.setOptedOut(false)),

    /** Calls `callback` once the SDK is loaded and started. */
    ready: method('ready', (_started, callback: () => void) => {
      if (typeof callback === 'function') setTimeout(callback);
    }),

    /** This browser's anonymous id; null before init or when opted out. */
    getAnonymousId: guard(() => (started && !started.store.optedOut() ? started.store.anonymousId() : null)),

    /** The user id given to identify, until reset(); null when anonymous or before init. */
    getUserId: guard(() => started?.store.userId() ?? null),

    /** Whether the visitor opted out; null before init. */
    isOptedOut: guard(() => started?.store.optedOut() ?? null),
  };
  return acquaint;
}

export type Acquaint = ReturnType<typeof createAcquaint>;

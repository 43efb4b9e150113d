/** User attributes or event properties: any JSON-like data; `Date` values travel as ISO strings. */
export type Attributes = Record<string, unknown>;

/** Options of `acquaint.init(writeKey, options)`. */
export interface InitOptions {
  /** Origin of the Acquaint server, e.g. `https://acquaint.example.com`. Default: where sdk.js was loaded from. */
  host?: string;
  /** Domain for the id cookies, e.g. `example.com` to share one visitor across its sub-domains. Default: the page's host only. */
  cookieDomain?: string;
  /** Send a page view on load and on each single-page-app navigation (history API). Default `true`. */
  autoPageviews?: boolean;
  /** Ask `/v1/decide` on each page (load and single-page-app navigation) and render personalised experiences. Default `true`. */
  experiences?: boolean;
  /**
   * Anti-flicker guard: hide the page for at most this many milliseconds while decide answers, so
   * page edits apply before the old content shows. Load sdk.js with a plain `<script>` in `<head>` for it. Default 0 (off).
   */
  antiFlicker?: number;
  /** Inactivity in milliseconds after which a new session starts. Default 30 minutes. */
  sessionTimeout?: number;
  /** Identity verification: hex HMAC-SHA256(identity secret, userId) computed by your server. */
  userHash?: string;
  /** Log refused calls and delivery problems to the console. Default `false`. */
  debug?: boolean;
  /** Milliseconds to wait to fill a batch before sending. Default 1000. */
  flushInterval?: number;
  /** Messages per request at most. Default 20. */
  flushAt?: number;
  /** Messages kept in the offline queue at most; past it the oldest are dropped. Default 500. */
  maxQueueSize?: number;
}

/** Options of one identify call. */
export interface IdentifyOptions {
  /** Identity verification hash for this user id (see `InitOptions.userHash`). */
  userHash?: string;
}

/** The `context` object of every message (Segment spec). */
export interface MessageContext {
  page: { url: string; path: string; referrer: string; title: string; search: string };
  userAgent: string;
  screen: { width: number; height: number };
  locale: string;
  campaign?: Record<string, string>;
  library: { name: string; version: string };
  sessionId: string;
}

/** One message as sent in a `/v1/batch` body. */
export interface Message {
  type: 'identify' | 'track' | 'page';
  messageId: string;
  anonymousId: string;
  userId?: string;
  timestamp: string;
  context: MessageContext;
  /** Identity verification, with every message that carries a userId. */
  userHash?: string;
  traits?: Attributes;
  event?: string;
  name?: string;
  properties?: Attributes;
}

import { IMPORT_HEAP_GROWING_PERCENT } from './imports/import-heap-growth.js';

/** Tunable limits of one Acquaint server; every field has a default that suits a small site. */
export interface AcquaintConfig {
  /** Largest tracking request body, after gzip is undone (DESIGN §4: 1 MiB). */
  maxRequestBytes: number;
  /** Largest single message (64 KiB). */
  maxMessageBytes: number;
  /** Most anonymous ids (devices) one person may hold (DESIGN §3 rule 6). */
  maxAnonymousIdsPerPerson: number;
  /** Inactivity that ends a session (30 minutes). */
  sessionGapMs: number;
  /** Tracking requests a project may send per second, per server process (token bucket). */
  rateLimitPerSecond: number;
  /** Burst above the steady rate. */
  rateLimitBurst: number;
  /**
   * Tracking messages a project may send per second, per server process (token bucket counting
   * the messages of each request, a batch's included): 20,000, bursts of 40,000.
   */
  messageRateLimitPerSecond: number;
  /** Burst above the steady message rate. */
  messageRateLimitBurst: number;
  /** Requests a secret API key may send per second, per server process. */
  apiKeyRateLimitPerSecond: number;
  /** `POST /v1/decide` requests a project may send per second, per server process (burst: twice it). */
  decideRateLimitPerSecond: number;
  /**
   * Requests with a missing, unknown or revoked key one client address may send per second (10,
   * bursts of 100); past it the address is refused (429) before any key is looked up.
   */
  failedKeyRateLimitPerSecond: number;
  /** How long a request body may take to arrive, for routes that parse it (30 s); past it, 408. */
  bodyTimeoutMs: number;
  /** A streamed upload (CSV import) bringing under 16 KiB in this time is ended (30 s). */
  uploadStallMs: number;
  /**
   * Whose `X-Forwarded-For` to believe for the client address (rate limits, logs): false (the
   * default: the connection's address), true (any), a number of proxy hops, or a comma-separated
   * list of proxy addresses or CIDR ranges (`ACQUAINT_TRUST_PROXY`).
   */
  trustProxy: boolean | number | string;
  /** Most users per `POST /v1/user/profiles` request (10,000). */
  maxProfilesPerRequest: number;
  /** Most fields per bulk upload or CSV file, the identifier included (200). */
  maxProfileFields: number;
  /** Largest `POST /v1/user/profiles` body (64 MiB: 10,000 rows of wide data). */
  maxProfileUploadBytes: number;
  /** Rows of a CSV import written per transaction (10,000). */
  importChunkRows: number;
  /**
   * A CSV import on SQLite past this many rows (and past the persons stored before it) loads
   * without the typed-value indexes and builds them at its end (100,000).
   */
  importDeferIndexesAfterRows: number;
  /**
   * While a CSV import runs, V8's old generation grows this many percent past what its last full
   * collection left live before collecting again (50; 0: V8's own rule, 3–4× on a large import).
   */
  importHeapGrowingPercent: number;
  /** A running import writes a heartbeat this often; one silent for 3 beats reads as interrupted (5 s). */
  importHeartbeatMs: number;
  /**
   * SQLite file databases take tracking messages through the durable ingestion log: answered once
   * logged, applied by a worker thread (on). Off applies them before answering, as PostgreSQL does.
   */
  ingestionLog: boolean;
  /**
   * How long an API call waits for the tracking messages acknowledged before it to be applied
   * (10 s); past it a read answers with what is applied, and a change is refused (503).
   */
  ingestionWaitMs: number;
  /**
   * PostgreSQL fleets: `nats://host:port` of a NATS server with JetStream (`ACQUAINT_QUEUE`).
   * Tracking requests are answered once JetStream has them, and applied by every server process
   * in turn (ingestion/jetstream-ingestion.ts). Null (the default): applied before answering.
   */
  queue: string | null;
  /** Logged tracking requests not yet applied past which `GET /ready` answers 503 (10,000). */
  ingestionReadyBacklog: number;
  /**
   * Logged messages not yet applied past which tracking requests are refused with 429 and
   * `Retry-After` (and `GET /ready` answers 503), so the ingestion log cannot grow without bound
   * (1,000,000).
   */
  ingestionMaxBacklogMessages: number;
  /** Ingestion warnings (`GET /api/ingestion/warnings`) are deleted after this many days (30). */
  ingestionWarningRetentionDays: number;
  /** How long a shutdown (SIGTERM, SIGINT) may take to finish requests before the process exits (10 s). */
  shutdownTimeoutMs: number;
  /** JSON log lines at this level and above: fatal, error, warn, info (default), debug, trace, silent. */
  logLevel: LogLevel;
  /** When set, `GET /metrics` wants `Authorization: Bearer <this token>`; else it is open. */
  metricsToken: string | null;
  /** Loopback and private addresses may receive webhooks (off; link-local ones never may). */
  webhooksAllowPrivate: boolean;
  /** Time allowed for one webhook attempt, answer included (10 s). */
  webhookTimeoutMs: number;
  /** First wait before a failed webhook delivery is retried; it doubles each time (10 s). */
  webhookRetryBaseMs: number;
  /** How often the webhook worker looks for due deliveries when idle (500 ms). */
  webhookPollMs: number;
  /** How often groups with time windows are re-counted for group events (30 s). */
  webhookGroupPassMs: number;
  /** Finished (delivered or failed) webhook deliveries are deleted after this many days (30). */
  webhookRetentionDays: number;
  /**
   * Events (and their hourly rollup) before the start of the month this many months back are
   * deleted (`ACQUAINT_EVENT_RETENTION_MONTHS`); null (the default) keeps every event.
   */
  eventRetentionMonths: number | null;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_CONFIG: AcquaintConfig = {
  maxRequestBytes: 1024 * 1024,
  maxMessageBytes: 64 * 1024,
  maxAnonymousIdsPerPerson: 1000,
  sessionGapMs: 30 * 60 * 1000,
  rateLimitPerSecond: 2000,
  rateLimitBurst: 4000,
  messageRateLimitPerSecond: 20_000,
  messageRateLimitBurst: 40_000,
  apiKeyRateLimitPerSecond: 100,
  decideRateLimitPerSecond: 2000,
  failedKeyRateLimitPerSecond: 10,
  bodyTimeoutMs: 30_000,
  trustProxy: false,
  uploadStallMs: 30_000,
  maxProfilesPerRequest: 10_000,
  maxProfileFields: 200,
  maxProfileUploadBytes: 64 * 1024 * 1024,
  importChunkRows: 10_000,
  importDeferIndexesAfterRows: 100_000,
  importHeapGrowingPercent: IMPORT_HEAP_GROWING_PERCENT,
  importHeartbeatMs: 5_000,
  ingestionLog: true,
  ingestionWaitMs: 10_000,
  queue: null,
  ingestionReadyBacklog: 10_000,
  ingestionMaxBacklogMessages: 1_000_000,
  ingestionWarningRetentionDays: 30,
  shutdownTimeoutMs: 10_000,
  logLevel: 'info',
  metricsToken: null,
  webhooksAllowPrivate: false,
  webhookTimeoutMs: 10_000,
  webhookRetryBaseMs: 10_000,
  webhookPollMs: 500,
  webhookGroupPassMs: 30_000,
  webhookRetentionDays: 30,
  eventRetentionMonths: null,
};

/** The defaults, overridden by `ACQUAINT_*` environment variables and then by `overrides`. */
export function loadConfig(overrides: Partial<AcquaintConfig> = {}, env = process.env): AcquaintConfig {
  const fromEnv: Partial<AcquaintConfig> = {};
  const numberFrom = (name: string) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0)
      throw new Error(`${name} must be a positive number, got "${raw}"`);
    return value;
  };
  const entries: [
    Exclude<keyof AcquaintConfig, 'ingestionLog' | 'trustProxy' | 'queue' | 'eventRetentionMonths'>,
    string,
  ][] = [
    ['maxRequestBytes', 'ACQUAINT_MAX_REQUEST_BYTES'],
    ['maxMessageBytes', 'ACQUAINT_MAX_MESSAGE_BYTES'],
    ['maxAnonymousIdsPerPerson', 'ACQUAINT_MAX_ANONYMOUS_IDS_PER_PERSON'],
    ['sessionGapMs', 'ACQUAINT_SESSION_GAP_MS'],
    ['rateLimitPerSecond', 'ACQUAINT_RATE_LIMIT_PER_SECOND'],
    ['rateLimitBurst', 'ACQUAINT_RATE_LIMIT_BURST'],
    ['messageRateLimitPerSecond', 'ACQUAINT_MESSAGE_RATE_LIMIT_PER_SECOND'],
    ['messageRateLimitBurst', 'ACQUAINT_MESSAGE_RATE_LIMIT_BURST'],
    ['apiKeyRateLimitPerSecond', 'ACQUAINT_API_KEY_RATE_LIMIT_PER_SECOND'],
    ['decideRateLimitPerSecond', 'ACQUAINT_DECIDE_RATE_LIMIT_PER_SECOND'],
    ['failedKeyRateLimitPerSecond', 'ACQUAINT_FAILED_KEY_RATE_LIMIT_PER_SECOND'],
    ['bodyTimeoutMs', 'ACQUAINT_BODY_TIMEOUT_MS'],
    ['uploadStallMs', 'ACQUAINT_UPLOAD_STALL_MS'],
    ['maxProfilesPerRequest', 'ACQUAINT_MAX_PROFILES_PER_REQUEST'],
    ['maxProfileFields', 'ACQUAINT_MAX_PROFILE_FIELDS'],
    ['maxProfileUploadBytes', 'ACQUAINT_MAX_PROFILE_UPLOAD_BYTES'],
    ['importChunkRows', 'ACQUAINT_IMPORT_CHUNK_ROWS'],
    ['importDeferIndexesAfterRows', 'ACQUAINT_IMPORT_DEFER_INDEXES_AFTER_ROWS'],
    ['importHeartbeatMs', 'ACQUAINT_IMPORT_HEARTBEAT_MS'],
    ['ingestionWaitMs', 'ACQUAINT_INGESTION_WAIT_MS'],
    ['ingestionReadyBacklog', 'ACQUAINT_INGESTION_READY_BACKLOG'],
    ['ingestionMaxBacklogMessages', 'ACQUAINT_INGESTION_MAX_BACKLOG_MESSAGES'],
    ['ingestionWarningRetentionDays', 'ACQUAINT_INGESTION_WARNINGS_RETENTION_DAYS'],
    ['shutdownTimeoutMs', 'ACQUAINT_SHUTDOWN_TIMEOUT_MS'],
    ['webhookTimeoutMs', 'ACQUAINT_WEBHOOKS_TIMEOUT_MS'],
    ['webhookRetryBaseMs', 'ACQUAINT_WEBHOOKS_RETRY_BASE_MS'],
    ['webhookPollMs', 'ACQUAINT_WEBHOOKS_POLL_MS'],
    ['webhookGroupPassMs', 'ACQUAINT_WEBHOOKS_GROUP_PASS_MS'],
    ['webhookRetentionDays', 'ACQUAINT_WEBHOOKS_RETENTION_DAYS'],
  ];
  for (const [key, name] of entries) {
    const value = numberFrom(name);
    if (value !== undefined) (fromEnv as Record<string, number>)[key] = value;
  }
  // 0 is a choice here: V8's own rule.
  const heapGrowth =
    env.ACQUAINT_IMPORT_HEAP_GROWING_PERCENT === '0' ? 0 : numberFrom('ACQUAINT_IMPORT_HEAP_GROWING_PERCENT');
  if (heapGrowth !== undefined) fromEnv.importHeapGrowingPercent = heapGrowth;
  const retention = numberFrom('ACQUAINT_EVENT_RETENTION_MONTHS');
  if (retention !== undefined) {
    if (!Number.isInteger(retention))
      throw new Error(`ACQUAINT_EVENT_RETENTION_MONTHS must be a whole number of months, got "${retention}"`);
    fromEnv.eventRetentionMonths = retention;
  }
  const log = env.ACQUAINT_INGESTION_LOG;
  if (log !== undefined && log !== '') {
    if (!/^(on|off|true|false|1|0)$/i.test(log))
      throw new Error(`ACQUAINT_INGESTION_LOG must be on or off, got "${log}"`);
    fromEnv.ingestionLog = /^(on|true|1)$/i.test(log);
  }
  const level = env.ACQUAINT_LOG_LEVEL || (env.ACQUAINT_LOG === 'off' ? 'silent' : undefined);
  if (level !== undefined) {
    if (!(LOG_LEVELS as readonly string[]).includes(level))
      throw new Error(`ACQUAINT_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
    fromEnv.logLevel = level as LogLevel;
  }
  if (env.ACQUAINT_METRICS_TOKEN) fromEnv.metricsToken = env.ACQUAINT_METRICS_TOKEN;
  if (env.ACQUAINT_WEBHOOKS_ALLOW_PRIVATE) {
    if (!/^(true|false|1|0|on|off)$/i.test(env.ACQUAINT_WEBHOOKS_ALLOW_PRIVATE))
      throw new Error(
        `ACQUAINT_WEBHOOKS_ALLOW_PRIVATE must be true or false, got "${env.ACQUAINT_WEBHOOKS_ALLOW_PRIVATE}"`,
      );
    fromEnv.webhooksAllowPrivate = /^(true|1|on)$/i.test(env.ACQUAINT_WEBHOOKS_ALLOW_PRIVATE);
  }
  const queue = env.ACQUAINT_QUEUE;
  if (queue !== undefined && queue !== '') {
    if (!/^nats:\/\/[^/\s]+$/.test(queue))
      throw new Error(`ACQUAINT_QUEUE must be nats://host:port, got "${queue}"`);
    fromEnv.queue = queue;
  }
  const trustProxy = env.ACQUAINT_TRUST_PROXY;
  if (trustProxy !== undefined && trustProxy !== '') fromEnv.trustProxy = trustProxyFrom(trustProxy);
  return { ...DEFAULT_CONFIG, ...fromEnv, ...overrides };
}

function trustProxyFrom(raw: string): boolean | number | string {
  if (/^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw;
}

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { IngestionStatus } from '../ingestion/ingestion.js';

/** Buckets in seconds: from a cached read (1 ms) to a large import request (30 s). */
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Decide answers should stay under 10 ms at p99 (DESIGN §7), so the buckets are fine below it. */
const DECIDE_BUCKETS = [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25];

/**
 * The Prometheus metrics of one app (`GET /metrics`), each app with its own registry so that
 * several apps in one process (tests) count apart. Route plugins reach it as `context.metrics`;
 * a route observes what it alone knows, say `context.metrics.decideSeconds.observe(seconds)`.
 */
export class Metrics {
  readonly registry = new Registry();

  /** Every answered HTTP request, by method, route pattern (`/api/users/:userId`) and status. */
  readonly httpRequests = new Counter({
    name: 'acquaint_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpSeconds = new Histogram({
    name: 'acquaint_http_request_duration_seconds',
    help: 'Time from receiving a request to answering it, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });

  /** Tracking messages by outcome: accepted (logged or applied), rejected, or a duplicate. */
  readonly trackingMessages = new Counter({
    name: 'acquaint_tracking_messages_total',
    help: 'Tracking messages by outcome: accepted, rejected, duplicate (in accepted requests); rate_limited, backlog_full (requests refused with 429 for them).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  /** Messages applied to the database; `rate()` of it is the applied rate. */
  readonly appliedMessages = new Counter({
    name: 'acquaint_ingestion_applied_messages_total',
    help: 'Tracking messages applied to the database (rate() gives messages applied per second).',
    registers: [this.registry],
  });

  /** Rows of bulk uploads and CSV imports, by kind (upload, csv) and outcome (written, failed). */
  readonly importRows = new Counter({
    name: 'acquaint_import_rows_total',
    help: 'Rows of bulk uploads and CSV imports, by kind (upload, csv) and outcome (written, failed).',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });

  /** Time to answer `POST /v1/decide`, observed by the decide route. */
  readonly decideSeconds = new Histogram({
    name: 'acquaint_decide_duration_seconds',
    help: 'Time to decide the experiences of one visitor (POST /v1/decide).',
    buckets: DECIDE_BUCKETS,
    registers: [this.registry],
  });

  private ingestion: () => IngestionStatus = () => ({
    mode: 'direct',
    backlog: 0,
    backlog_messages: 0,
    backlog_age_seconds: 0,
    applier_alive: true,
  });

  constructor() {
    const status = () => this.ingestion();
    new Gauge({
      name: 'acquaint_ingestion_backlog',
      help: 'Logged tracking requests not yet applied (0 when ingestion applies before answering).',
      registers: [this.registry],
      collect() {
        this.set(status().backlog);
      },
    });
    new Gauge({
      name: 'acquaint_ingestion_backlog_age_seconds',
      help: 'How long the oldest logged tracking request not yet applied has waited.',
      registers: [this.registry],
      collect() {
        this.set(status().backlog_age_seconds);
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'acquaint_' });
  }

  /** Counts the messages of a tracking request refused whole with 429 (message rate, full backlog). */
  countRefusedTrackingMessages(outcome: 'rate_limited' | 'backlog_full', messages: number): void {
    this.trackingMessages.inc({ outcome }, messages);
  }

  /** Counts the messages of one answered tracking request by outcome. */
  countTrackingMessages(result: { accepted: number; duplicates: number; rejected: unknown[] }): void {
    if (result.accepted > 0) this.trackingMessages.inc({ outcome: 'accepted' }, result.accepted);
    if (result.duplicates > 0) this.trackingMessages.inc({ outcome: 'duplicate' }, result.duplicates);
    if (result.rejected.length > 0)
      this.trackingMessages.inc({ outcome: 'rejected' }, result.rejected.length);
  }

  /** Counts rows of a bulk upload (`upload`) or of a CSV import's run (`csv`); dry runs count too. */
  countImportRows(kind: 'upload' | 'csv', rows: { received: number; failed: number }): void {
    const written = rows.received - rows.failed;
    if (written > 0) this.importRows.inc({ kind, outcome: 'written' }, written);
    if (rows.failed > 0) this.importRows.inc({ kind, outcome: 'failed' }, rows.failed);
  }

  /** Where the backlog gauges read from at each scrape. */
  watchIngestion(status: () => IngestionStatus): void {
    this.ingestion = status;
  }
}

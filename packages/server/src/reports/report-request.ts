import { offsetAt } from './time-zone.js';

export const REPORT_METRICS = [
  'visitors',
  'sessions',
  'pageviews',
  'event_count',
  'conversion_rate',
  'sessions_per_visitor',
] as const;
export type ReportMetric = (typeof REPORT_METRICS)[number];

/** Longest range a report may cover (about 13 months: a year against the month before it). */
export const MAX_REPORT_DAYS = 400;

export type Breakdown =
  | { kind: 'attribute'; name: string }
  | { kind: 'groups'; groupIds: string[] }
  | { kind: 'device_type' };

/** A time range `[from, to)` in milliseconds, and the project's zone for its days and weeks. */
export interface ReportRange {
  from: number;
  to: number;
  timeZone: string;
}

export interface BreakdownRequest {
  metric: ReportMetric;
  /** The event of `event_count` and `conversion_rate`; null for the other metrics. */
  event: string | null;
  breakdown: Breakdown;
  range: ReportRange;
  interval: 'day' | 'week' | null;
}

export interface CrossDeviceRequest {
  range: ReportRange;
  event: string | null;
}

export type ReportRefusal = {
  ok: false;
  code: 'INVALID_DATE_RANGE' | 'MISSING_METRIC_EVENT';
  message: string;
  pointer: string;
};

/** The body of `POST /api/reports/breakdown` once its JSON schema has checked the shapes. */
export interface BreakdownBody {
  metric: { type: ReportMetric; event?: string };
  breakdown: { attr?: string; groups?: string[]; device_type?: boolean };
  from: string;
  to: string;
  interval?: 'day' | 'week';
}

/** Reads a breakdown request: the metric's event where it needs one, and the range. */
export function readBreakdownRequest(
  body: BreakdownBody,
  timeZone: string,
): { ok: true; request: BreakdownRequest } | ReportRefusal {
  const { type, event } = body.metric;
  const needsEvent = type === 'event_count' || type === 'conversion_rate';
  if (needsEvent && (event === undefined || event.length === 0)) {
    return {
      ok: false,
      code: 'MISSING_METRIC_EVENT',
      message: `metric ${type} counts one event: name it in metric.event`,
      pointer: '/metric/event',
    };
  }
  const range = readRange(body.from, body.to, timeZone);
  if (!range.ok) return range;
  const breakdown: Breakdown =
    body.breakdown.attr !== undefined
      ? { kind: 'attribute', name: body.breakdown.attr }
      : body.breakdown.groups !== undefined
        ? { kind: 'groups', groupIds: [...new Set(body.breakdown.groups)] }
        : { kind: 'device_type' };
  return {
    ok: true,
    request: {
      metric: type,
      event: needsEvent ? (event ?? null) : null,
      breakdown,
      range: range.range,
      interval: body.interval ?? null,
    },
  };
}

/** Reads a cross-device request: the range, and the event the paths and touches lead to. */
export function readCrossDeviceRequest(
  body: { from: string; to: string; event?: string },
  timeZone: string,
): { ok: true; request: CrossDeviceRequest } | ReportRefusal {
  const range = readRange(body.from, body.to, timeZone);
  if (!range.ok) return range;
  return { ok: true, request: { range: range.range, event: body.event || null } };
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * An instant from an ISO date or date-time. A time with a zone (`Z`, `+09:00`) is that instant;
 * a date or a time without one is the wall-clock time in the project's zone, so
 * `"from": "2026-11-01"` starts the report at midnight where the owner lives.
 */
export function readInstant(text: string, timeZone: string): number | null {
  const match = DATE_TIME.exec(text.trim());
  if (!match) return null;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone] = match;
  if (zone !== undefined) {
    const at = Date.parse(text.trim().replace(' ', 'T'));
    return Number.isNaN(at) ? null : at;
  }
  const wall = Date.UTC(+year, +month - 1, +day, +hour, +minute, +second, Math.round(+`0${fraction}` * 1000));
  const check = new Date(wall);
  if (check.getUTCMonth() !== +month - 1 || check.getUTCDate() !== +day || +hour > 23 || +minute > 59)
    return null;
  const guess = wall - offsetAt(timeZone, wall);
  return wall - offsetAt(timeZone, guess);
}

function readRange(
  fromText: string,
  toText: string,
  timeZone: string,
): { ok: true; range: ReportRange } | ReportRefusal {
  const from = readInstant(fromText, timeZone);
  if (from === null) return badRange('/from', `from "${fromText}" is not an ISO date or date-time`);
  const to = readInstant(toText, timeZone);
  if (to === null) return badRange('/to', `to "${toText}" is not an ISO date or date-time`);
  if (from >= to) return badRange('/to', 'to must be after from (the range is [from, to))');
  if (to - from > MAX_REPORT_DAYS * 86_400_000)
    return badRange('/to', `a report covers at most ${MAX_REPORT_DAYS} days`);
  return { ok: true, range: { from, to, timeZone } };
}

function badRange(pointer: string, message: string): ReportRefusal {
  return { ok: false, code: 'INVALID_DATE_RANGE', message, pointer };
}

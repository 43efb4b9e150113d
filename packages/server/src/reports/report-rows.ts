import type { ActivityRow } from '../storage/report-repository.js';
import type { ReportMetric } from './report-request.js';

/** A row key as the answer shows it: an attribute value read through its type, a device type, a group id. */
export type ReportKey = string | number | boolean | null;

/** The sums behind one row (or one bucket of a row). */
export interface Tally {
  visitors: number;
  sessions: number;
  pageviews: number;
  events: number;
  converters: number;
}

export interface KeyTally {
  key: ReportKey;
  total: Tally;
  /** By bucket number; only with a series. */
  buckets: Map<number, Tally>;
}

export const emptyTally = (): Tally => ({ visitors: 0, sessions: 0, pageviews: 0, events: 0, converters: 0 });

export function addTally(into: Tally, row: Tally): void {
  into.visitors += row.visitors;
  into.sessions += row.sessions;
  into.pageviews += row.pageviews;
  into.events += row.events;
  into.converters += row.converters;
}

/**
 * Folds activity rows into one tally per answer key. `keysOf` turns a stored key into the keys it
 * counts under (a list value counts under each of its elements); rows folding into the same key
 * come from different persons (a person holds one stored value), so adding them is exact.
 */
export function tallyByKey(
  totals: ActivityRow[],
  series: ActivityRow[],
  keysOf: (stored: string | null) => ReportKey[],
): KeyTally[] {
  const byKey = new Map<string, KeyTally>();
  const entry = (key: ReportKey) => {
    const id = JSON.stringify(key);
    let found = byKey.get(id);
    if (!found) {
      found = { key, total: emptyTally(), buckets: new Map() };
      byKey.set(id, found);
    }
    return found;
  };
  for (const row of totals) for (const key of keysOf(row.key)) addTally(entry(key).total, row);
  for (const row of series) {
    for (const key of keysOf(row.key)) {
      const { buckets } = entry(key);
      const bucket = buckets.get(row.bucket) ?? emptyTally();
      addTally(bucket, row);
      buckets.set(row.bucket, bucket);
    }
  }
  return [...byKey.values()];
}

/** The metric's value for a tally: a count, or a fraction (null with no visitors to divide by). */
export function metricValue(metric: ReportMetric, tally: Tally): number | null {
  switch (metric) {
    case 'visitors':
      return tally.visitors;
    case 'sessions':
      return tally.sessions;
    case 'pageviews':
      return tally.pageviews;
    case 'event_count':
      return tally.events;
    case 'conversion_rate':
      return tally.visitors === 0 ? null : tally.converters / tally.visitors;
    case 'sessions_per_visitor':
      return tally.visitors === 0 ? null : tally.sessions / tally.visitors;
  }
}

/** Rows by visitors, most first; ties by key, so answers read the same every time (null last). */
export function byVisitors(a: KeyTally, b: KeyTally): number {
  if (b.total.visitors !== a.total.visitors) return b.total.visitors - a.total.visitors;
  if (a.key === null || b.key === null) return a.key === null ? (b.key === null ? 0 : 1) : -1;
  if (typeof a.key === 'number' && typeof b.key === 'number') return a.key - b.key;
  return String(a.key) < String(b.key) ? -1 : String(a.key) > String(b.key) ? 1 : 0;
}

import type { AttributeValue } from '../attributes/attribute-operation.js';
import { type AttributeType, isAttributeType, readAsType } from '../attributes/attribute-types.js';
import { loadAttributeDefinitions } from '../storage/attribute-repository.js';
import {
  type ActivityQuery,
  type ActivityRow,
  activityByAttribute,
  activityByDeviceType,
  activityByGroups,
  type GroupMembers,
} from '../storage/report-repository.js';
import type { Db } from '../storage/store.js';
import type { BreakdownRequest, ReportMetric } from './report-request.js';
import {
  addTally,
  byVisitors,
  emptyTally,
  type KeyTally,
  metricValue,
  type ReportKey,
  type Tally,
  tallyByKey,
} from './report-rows.js';
import { dayLabel, dayNumber, localDate, offsetSegments, weekStart } from './time-zone.js';

/** At most this many rows; the rest are summed in `other`. */
export const MAX_REPORT_ROWS = 50;

export interface SeriesPoint {
  start: string;
  visitors: number;
  value: number | null;
}

export interface BreakdownRow {
  key: ReportKey;
  name?: string;
  visitors: number;
  value: number | null;
  series?: SeriesPoint[];
}

export interface BreakdownAnswer {
  rows: BreakdownRow[];
  other: (BreakdownRow & { rows: number }) | null;
  timezone: string;
  warnings?: { code: 'UNKNOWN_ATTRIBUTE'; pointer: string; message: string }[];
}

/** A group of a groups breakdown, already found in the project. */
export interface ReportGroup extends GroupMembers {
  name: string;
}

/**
 * The breakdown report (DESIGN §4).
 * strategy: storage sums the activity of the range's visitors per stored key (and per bucket for a
 * series, in a second pass, since a visitor of two days is one visitor of the range); here the
 * stored keys are read through the attribute's type at query time and folded together, rows are
 * ranked by visitors and cut at 50, and the rest are summed in `other`.
 */
export async function breakdownReport(
  db: Db,
  projectId: string,
  request: BreakdownRequest,
  groups: ReportGroup[] = [],
): Promise<BreakdownAnswer> {
  const { range, breakdown, interval } = request;
  const measure = {
    sessions: request.metric === 'sessions' || request.metric === 'sessions_per_visitor',
    pageviews: request.metric === 'pageviews',
  };
  const base = { projectId, from: range.from, to: range.to, event: request.event, measure };
  const segments = interval === null ? [] : offsetSegments(range.timeZone, range.from, range.to);
  const buckets = interval === null ? null : { segments, unit: interval };
  const warnings: BreakdownAnswer['warnings'] = [];

  let read: (query: ActivityQuery) => Promise<ActivityRow[]>;
  let keysOf: (stored: string | null) => ReportKey[] = (stored) => [stored];
  if (breakdown.kind === 'attribute') {
    const [definition] = await loadAttributeDefinitions(db, projectId, [breakdown.name]);
    if (!definition || !isAttributeType(definition.type)) {
      warnings.push({
        code: 'UNKNOWN_ATTRIBUTE',
        pointer: '/breakdown/attr',
        message: `no person holds an attribute named "${breakdown.name}" yet: every visitor is in the row of key null`,
      });
    }
    const type = definition && isAttributeType(definition.type) ? definition.type : null;
    read = (query) => activityByAttribute(db, query, breakdown.name);
    keysOf = (stored) => attributeKeys(stored, type, range.timeZone);
  } else if (breakdown.kind === 'device_type') {
    read = (query) => activityByDeviceType(db, query);
  } else {
    read = (query) => activityByGroups(db, query, groups);
  }

  const totals = await read({ ...base, buckets: null });
  const series = buckets === null ? [] : await read({ ...base, buckets });
  const tallies = tallyByKey(totals, series, keysOf).sort(byVisitors);
  const names = new Map(groups.map((group) => [group.id, group.name]));
  if (breakdown.kind === 'groups') {
    // Every group asked for has a row, an empty one when none of its members visited.
    for (const group of groups)
      if (!tallies.some((t) => t.key === group.id))
        tallies.push({ key: group.id, total: emptyTally(), buckets: new Map() });
  }

  const bucketNumbers =
    interval === null
      ? []
      : bucketRange(dayNumber(segments, range.from), dayNumber(segments, range.to - 1), interval);
  const toRow = (tally: KeyTally): BreakdownRow => ({
    key: tally.key,
    ...(breakdown.kind === 'groups' ? { name: names.get(String(tally.key)) ?? '' } : {}),
    visitors: tally.total.visitors,
    value: metricValue(request.metric, tally.total),
    ...(interval === null ? {} : { series: seriesOf(tally, bucketNumbers, interval, request.metric) }),
  });

  const kept = tallies.slice(0, MAX_REPORT_ROWS);
  const rest = tallies.slice(MAX_REPORT_ROWS);
  return {
    rows: kept.map(toRow),
    other: rest.length === 0 ? null : { ...toRow(sumOf(rest)), key: null, rows: rest.length },
    timezone: range.timeZone,
    ...(warnings.length ? { warnings } : {}),
  };
}

/**
 * The keys a stored attribute value counts under, read through the attribute's type: numbers as
 * numbers, datetimes as their day in the project's zone, each distinct element of a list; a value
 * that does not read as the type, an empty list, or no value at all count under null.
 */
export function attributeKeys(
  stored: string | null,
  type: AttributeType | null,
  timeZone: string,
): ReportKey[] {
  if (stored === null || type === null) return [null];
  let value: AttributeValue;
  try {
    value = JSON.parse(stored) as AttributeValue;
  } catch {
    return [null];
  }
  const read = readAsType(value, type);
  if (!read.ok) return [null];
  if (Array.isArray(read.value)) return read.value.length === 0 ? [null] : [...new Set(read.value)];
  if (type === 'datetime') return [localDate(timeZone, Date.parse(String(read.value)))];
  return [read.value];
}

function bucketRange(firstDay: number, lastDay: number, interval: 'day' | 'week'): number[] {
  const [first, last] =
    interval === 'day' ? [firstDay, lastDay] : [(weekStart(firstDay) + 3) / 7, (weekStart(lastDay) + 3) / 7];
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

function seriesOf(
  tally: KeyTally,
  bucketNumbers: number[],
  interval: 'day' | 'week',
  metric: ReportMetric,
): SeriesPoint[] {
  return bucketNumbers.map((bucket) => {
    const point = tally.buckets.get(bucket) ?? emptyTally();
    return {
      start: dayLabel(interval === 'day' ? bucket : bucket * 7 - 3),
      visitors: point.visitors,
      value: metricValue(metric, point),
    };
  });
}

function sumOf(tallies: KeyTally[]): KeyTally {
  const total: Tally = emptyTally();
  const buckets = new Map<number, Tally>();
  for (const tally of tallies) {
    addTally(total, tally.total);
    for (const [bucket, point] of tally.buckets) {
      const sum = buckets.get(bucket) ?? emptyTally();
      addTally(sum, point);
      buckets.set(bucket, sum);
    }
  }
  return { key: null, total, buckets };
}

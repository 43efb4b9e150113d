import { breakdownReport } from '../../packages/server/src/reports/breakdown-report.js';
import {
  type BreakdownRequest,
  readBreakdownRequest,
} from '../../packages/server/src/reports/report-request.js';
import type { Db } from '../../packages/server/src/storage/store.js';
import { DATASET_END } from '../support/dataset.js';
import { handWrittenConversion } from './hand-written.js';

const DAY = 86_400_000;

/**
 * The headline report of the group and report benches: conversion to `purchase` by membership
 * level over the 30 days before the generated shop's data ends.
 */
export function conversionByLevel(): BreakdownRequest {
  const read = readBreakdownRequest(
    {
      metric: { type: 'conversion_rate', event: 'purchase' },
      breakdown: { attr: 'membership_level' },
      from: new Date(DATASET_END - 30 * DAY).toISOString(),
      to: new Date(DATASET_END).toISOString(),
    },
    'UTC',
  );
  if (!read.ok) throw new Error(read.message);
  return read.request;
}

/** The report through the report code, after checking it row by row against the hand-written SQL. */
export async function checkedConversionReport(db: Db, projectId: string, request: BreakdownRequest) {
  const report = await breakdownReport(db, projectId, request);
  const byHand = await handWrittenConversion(db, projectId, request.range.from, request.range.to);
  for (const row of report.rows) {
    const key = row.key === null ? null : JSON.stringify(row.key);
    const same = byHand.find((h) => h.key === key);
    if (!same || same.visitors !== row.visitors || same.converters / same.visitors !== row.value)
      throw new Error(`report and hand-written SQL disagree on ${key}: ${JSON.stringify({ row, same })}`);
  }
  return report;
}

import { HOUR_MS } from './event-rollup-migration.js';

/** Which part of an inclusive instant range `[lo, hi]` the rollup serves, and which the events. */
export interface RollupSpan {
  /** The whole UTC hours inside the range (inclusive hour numbers), read from `event_rollup`. */
  hours: { from: number; to: number } | null;
  /** The rest, inclusive instant ranges at the ends, read from `events`. */
  edges: { lo: number; hi: number }[];
}

/**
 * Splits `[lo, hi]` into the whole hours inside it and the partial hours at its ends, so counts
 * over the range are the rollup's counts of the whole hours plus the edge events: exact at any
 * millisecond. A range reaching before 1970 is read from the events alone.
 */
export function rollupSpan(lo: number, hi: number): RollupSpan {
  if (lo < 0 || hi < lo) return { hours: null, edges: hi < lo ? [] : [{ lo, hi }] };
  const from = Math.ceil(lo / HOUR_MS);
  const to = Math.floor((hi + 1) / HOUR_MS) - 1;
  if (from > to) return { hours: null, edges: [{ lo, hi }] };
  const edges = [
    { lo, hi: from * HOUR_MS - 1 },
    { lo: (to + 1) * HOUR_MS, hi },
  ].filter((edge) => edge.lo <= edge.hi);
  return { hours: { from, to }, edges };
}

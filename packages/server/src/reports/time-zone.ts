const DAY_MS = 86_400_000;

/**
 * The canonical name of an IANA time zone this runtime knows (`asia/tokyo` → `Asia/Tokyo`), or
 * null for a name it does not know.
 */
export function canonicalTimeZone(name: string): string | null {
  if (name.length === 0 || name.length > 64) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** How far the wall clock of `timeZone` is ahead of UTC at `instant`, in milliseconds. */
export function offsetAt(timeZone: string, instant: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall - (instant - (((instant % 1000) + 1000) % 1000));
}

/** The calendar day of `instant` in `timeZone`, as `YYYY-MM-DD`. */
export function localDate(timeZone: string, instant: number): string {
  return dayLabel(Math.floor((instant + offsetAt(timeZone, instant)) / DAY_MS));
}

/** `YYYY-MM-DD` of a day number (days since 1970-01-01 on the wall clock). */
export function dayLabel(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** A stretch of time over which the zone's offset does not change. */
export interface OffsetSegment {
  /** First instant of the stretch (the range's start for the first one). */
  from: number;
  offsetMs: number;
}

/**
 * The zone's offsets over `[from, to)`, so that SQL can turn an event's instant into its wall-clock
 * day with `(timestamp + offset) / day` on both backends, neither of which needs to know zones.
 * strategy: sample the offset every 6 hours (no zone changes offset twice within that), and where
 * two samples differ, bisect to the exact millisecond of the change.
 */
export function offsetSegments(timeZone: string, from: number, to: number): OffsetSegment[] {
  const step = 6 * 3_600_000;
  const segments: OffsetSegment[] = [{ from, offsetMs: offsetAt(timeZone, from) }];
  let at = from;
  while (at < to) {
    const next = Math.min(at + step, to - 1);
    if (next <= at) break;
    const current = segments[segments.length - 1].offsetMs;
    const offset = offsetAt(timeZone, next);
    if (offset !== current) {
      let low = at;
      let high = next;
      while (high - low > 1) {
        const middle = Math.floor((low + high) / 2);
        if (offsetAt(timeZone, middle) === current) low = middle;
        else high = middle;
      }
      segments.push({ from: high, offsetMs: offset });
    }
    at = next;
  }
  return segments;
}

/** The wall-clock day number of `instant`, given the zone's segments over a range holding it. */
export function dayNumber(segments: OffsetSegment[], instant: number): number {
  let offset = segments[0].offsetMs;
  for (const segment of segments) if (instant >= segment.from) offset = segment.offsetMs;
  return Math.floor((instant + offset) / DAY_MS);
}

/** The day number of the Monday that starts the week holding `day` (1970-01-01 was a Thursday). */
export function weekStart(day: number): number {
  return Math.floor((day + 3) / 7) * 7 - 3;
}

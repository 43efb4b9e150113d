import { readVisitContext } from '../devices/visit-context.js';
import {
  type ConverterSession,
  converterDevices,
  converterSessions,
  countIdentifiedDevices,
} from '../storage/cross-device-repository.js';
import type { Db } from '../storage/store.js';
import { MAX_REPORT_ROWS } from './breakdown-report.js';
import type { CrossDeviceRequest } from './report-request.js';

export interface CrossDeviceAnswer {
  identified_visitors: number;
  with_2_or_more_devices: number;
  share: number | null;
  paths: { path: string[]; visitors: number }[];
  first_touch: { source: string; conversions: number }[];
  last_touch: { source: string; conversions: number }[];
  timezone: string;
}

/**
 * The cross-device report (DESIGN §4).
 * strategy: three reads of the range's events, each resolved to persons as every report does:
 * identified visitors and how many devices each used; for each converting visitor (first `event`
 * in the range; without an event, every visitor up to their last event) the devices used up to
 * that moment in order of their first event, giving the path of device types; and the first event
 * of each session up to that moment, whose source (UTM source, else the referrer's host, else
 * `direct`) is the first touch for the earliest session and the last touch for the latest.
 */
export async function crossDeviceReport(
  db: Db,
  projectId: string,
  request: CrossDeviceRequest,
): Promise<CrossDeviceAnswer> {
  const window = { projectId, from: request.range.from, to: request.range.to };
  const { identified, multiDevice } = await countIdentifiedDevices(db, window);

  const pathOf = new Map<number, string[]>();
  for (const device of await converterDevices(db, window, request.event)) {
    const path = pathOf.get(device.personId) ?? [];
    path.push(device.deviceType ?? 'unknown');
    pathOf.set(device.personId, path);
  }
  const paths = ranked([...pathOf.values()].map((path) => JSON.stringify(path))).map(([path, visitors]) => ({
    path: JSON.parse(path) as string[],
    visitors,
  }));

  const firstTouch: string[] = [];
  const lastTouch: string[] = [];
  if (request.event !== null) {
    const sessions = await converterSessions(db, window, request.event);
    for (let i = 0; i < sessions.length; i++) {
      const session = sessions[i];
      if (i === 0 || sessions[i - 1].personId !== session.personId) firstTouch.push(sourceOf(session));
      if (i === sessions.length - 1 || sessions[i + 1].personId !== session.personId)
        lastTouch.push(sourceOf(session));
    }
  }
  const touches = (sources: string[]) =>
    ranked(sources).map(([source, conversions]) => ({ source, conversions }));

  return {
    identified_visitors: identified,
    with_2_or_more_devices: multiDevice,
    share: identified === 0 ? null : multiDevice / identified,
    paths,
    first_touch: touches(firstTouch),
    last_touch: touches(lastTouch),
    timezone: request.range.timeZone,
  };
}

/**
 * Where a session came from: its UTM source (campaign context or the landing URL), else the
 * referrer's host when it is another site, else `direct`.
 */
export function sourceOf(session: Pick<ConverterSession, 'url' | 'referrer' | 'context'>): string {
  const context =
    typeof session.context === 'object' && session.context !== null
      ? (session.context as Record<string, unknown>)
      : {};
  const visit = readVisitContext(context, { url: session.url, referrer: session.referrer });
  if (visit.utmSource) return visit.utmSource;
  const referrerHost = hostOf(visit.referrer);
  if (referrerHost && referrerHost !== hostOf(visit.url)) return referrerHost;
  return 'direct';
}

function hostOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).hostname || null;
  } catch {
    return null;
  }
}

/** Counts of each value, most first (ties by value), at most 50. */
function ranked(values: string[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, MAX_REPORT_ROWS);
}

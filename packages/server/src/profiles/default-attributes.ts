import type { DeviceRow, PersonRow } from '../storage/identity-repository.js';

/**
 * The attributes the system keeps for every person (DESIGN §2), derived from the person and its
 * devices when read rather than stored, so they can never disagree with them. Read-only; the `$`
 * prefix keeps them apart from owners' attributes.
 */
export const DEFAULT_ATTRIBUTES = {
  $first_seen: 'datetime',
  $last_seen: 'datetime',
  $total_sessions: 'number',
  $first_referrer: 'string',
  $first_referrer_domain: 'string',
  $first_landing_page: 'string',
  $first_utm_source: 'string',
  $first_utm_medium: 'string',
  $first_utm_campaign: 'string',
  $last_device_type: 'string',
  $device_count: 'number',
} as const;

export type DefaultAttributeName = keyof typeof DEFAULT_ATTRIBUTES;

/** Default attribute values of a person; `devices` must be all of its devices. Unknown ones are left out. */
export function defaultAttributesOf(
  person: PersonRow,
  devices: DeviceRow[],
): Record<string, string | number> {
  const values: Record<string, string | number> = {};
  eachDefaultAttribute(person, devices, (name, value) => {
    values[name] = value;
  });
  return values;
}

/**
 * Hands each known default attribute of a person to `use`, in the order of DEFAULT_ATTRIBUTES
 * (what `defaultAttributesOf` returns, without building the record: decide reads them per facts
 * load). The first device is the earliest seen, the last the latest seen; ties go to the first
 * in `devices`.
 */
export function eachDefaultAttribute(
  person: PersonRow,
  devices: DeviceRow[],
  use: (name: DefaultAttributeName, value: string | number) => void,
): void {
  let first: DeviceRow | undefined;
  let last: DeviceRow | undefined;
  let sessions = 0;
  for (const device of devices) {
    if (first === undefined || device.first_seen < first.first_seen) first = device;
    if (last === undefined || device.last_seen > last.last_seen) last = device;
    sessions += device.session_count;
  }
  const put = (name: DefaultAttributeName, value: string | number | null | undefined) => {
    if (value !== null && value !== undefined) use(name, value);
  };
  put('$first_seen', new Date(person.first_seen).toISOString());
  put('$last_seen', new Date(person.last_seen).toISOString());
  put('$total_sessions', sessions);
  put('$first_referrer', first?.first_referrer);
  put('$first_referrer_domain', domainOf(first?.first_referrer));
  put('$first_landing_page', first?.first_landing_page);
  put('$first_utm_source', first?.utm_source);
  put('$first_utm_medium', first?.utm_medium);
  put('$first_utm_campaign', first?.utm_campaign);
  put('$last_device_type', last?.device_type);
  put('$device_count', devices.length);
}

function domainOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}

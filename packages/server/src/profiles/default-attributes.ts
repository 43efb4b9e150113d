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
  const first = [...devices].sort((a, b) => a.first_seen - b.first_seen)[0];
  const last = [...devices].sort((a, b) => b.last_seen - a.last_seen)[0];
  const values: Record<string, string | number | null | undefined> = {
    $first_seen: new Date(person.first_seen).toISOString(),
    $last_seen: new Date(person.last_seen).toISOString(),
    $total_sessions: devices.reduce((sum, d) => sum + d.session_count, 0),
    $first_referrer: first?.first_referrer,
    $first_referrer_domain: domainOf(first?.first_referrer),
    $first_landing_page: first?.first_landing_page,
    $first_utm_source: first?.utm_source,
    $first_utm_medium: first?.utm_medium,
    $first_utm_campaign: first?.utm_campaign,
    $last_device_type: last?.device_type,
    $device_count: devices.length,
  };
  return Object.fromEntries(
    Object.entries(values).filter(([, v]) => v !== null && v !== undefined),
  ) as Record<string, string | number>;
}

function domainOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}

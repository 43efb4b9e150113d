import { type DeviceRow, newPersonRow, type PersonRow } from '../../src/storage/identity-repository.js';

/** A stored person row of `projectId`, created and seen at `at`. */
export function personRow(id: number, userId: string | null, projectId: string, at: number): PersonRow {
  return newPersonRow(id, projectId, userId, at);
}

/** A stored device row with one session, first and last seen at `at`; `more` sets other columns. */
export function deviceRow(
  anonymousId: string,
  personId: number,
  projectId: string,
  at: number,
  more: Partial<DeviceRow> = {},
): DeviceRow {
  return {
    project_id: projectId,
    anonymous_id: anonymousId,
    person_id: personId,
    first_seen: at,
    last_seen: at,
    user_agent: null,
    device_type: null,
    os: null,
    browser: null,
    screen: null,
    locale: null,
    first_referrer: null,
    first_landing_page: null,
    utm_source: null,
    utm_medium: null,
    utm_campaign: null,
    session_count: 1,
    session_id: null,
    session_last_at: null,
    ...more,
  };
}

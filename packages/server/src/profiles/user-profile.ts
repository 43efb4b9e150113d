import type { AttributeValue } from '../attributes/attribute-operation.js';
import { isAttributeType, readAsType } from '../attributes/attribute-types.js';
import { loadAttributeDefinitions, loadPersonAttributes } from '../storage/attribute-repository.js';
import { type DeviceRow, findDevicesOfPerson, type PersonRow } from '../storage/identity-repository.js';
import type { Db } from '../storage/store.js';
import { defaultAttributesOf } from './default-attributes.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A person as the server API shows it. */
export interface UserProfile {
  person_id: number;
  user_id: string | null;
  identified: boolean;
  bound: boolean;
  imported: boolean;
  first_seen: string;
  last_seen: string;
  bound_at: string | null;
  imported_at: string | null;
  /** Owner attributes read through their types, then the `$` default attributes. */
  attributes: Record<string, AttributeValue>;
  devices: DeviceView[];
}

export interface DeviceView {
  anonymous_id: string;
  device_type: string | null;
  os: string | null;
  browser: string | null;
  first_seen: string;
  last_seen: string;
  sessions: number;
  screen: string | null;
  locale: string | null;
  first_referrer: string | null;
  first_landing_page: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
}

export async function loadUserProfile(db: Db, person: PersonRow): Promise<UserProfile> {
  const [devices, stored, definitions] = await Promise.all([
    findDevicesOfPerson(db, person.id),
    loadPersonAttributes(db, [person.id]),
    loadAttributeDefinitions(db, person.project_id),
  ]);
  const types = new Map(definitions.map((d) => [d.name, d.type]));
  const attributes: Record<string, AttributeValue> = {};
  for (const attribute of stored.sort((a, b) => a.name.localeCompare(b.name))) {
    if (attribute.value === undefined) continue;
    const type = types.get(attribute.name);
    const read = isAttributeType(type) ? readAsType(attribute.value, type) : { ok: false as const };
    attributes[attribute.name] = read.ok ? read.value : attribute.value;
  }
  Object.assign(attributes, defaultAttributesOf(person, devices));
  return {
    person_id: person.id,
    user_id: person.user_id,
    identified: person.user_id !== null,
    bound: person.bound_at !== null,
    imported: person.imported_at !== null,
    first_seen: iso(person.first_seen) as string,
    last_seen: iso(person.last_seen) as string,
    bound_at: iso(person.bound_at),
    imported_at: iso(person.imported_at),
    attributes,
    devices: devices.map(deviceView),
  };
}

function deviceView(d: DeviceRow): DeviceView {
  return {
    anonymous_id: d.anonymous_id,
    device_type: d.device_type,
    os: d.os,
    browser: d.browser,
    first_seen: iso(d.first_seen) as string,
    last_seen: iso(d.last_seen) as string,
    sessions: d.session_count,
    screen: d.screen,
    locale: d.locale,
    first_referrer: d.first_referrer,
    first_landing_page: d.first_landing_page,
    utm_source: d.utm_source,
    utm_medium: d.utm_medium,
    utm_campaign: d.utm_campaign,
  };
}

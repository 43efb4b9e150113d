import { readFileSync } from 'node:fs';
import type { AttributeValue } from '../../src/attributes/attribute-operation.js';
import { type AttributeType, isAttributeType } from '../../src/attributes/attribute-types.js';

/** One device of a case person; unnamed fields are null. */
export interface CaseDevice {
  anonymous_id: string;
  device_type?: string;
  os?: string;
  browser?: string;
  first_referrer?: string;
  first_landing_page?: string;
  utm_source?: string;
  utm_medium?: string;
  utm_campaign?: string;
  session_count?: number;
  first_seen?: string;
  last_seen?: string;
}

/** One event: from a device (`device`), and carrying the person's user id when `signed_in`. */
export interface CaseEvent {
  type?: string;
  name?: string;
  url?: string;
  at?: string;
  days_ago?: number;
  device?: string | null;
  signed_in?: boolean;
  /** Another user id the event carries (a shared device, or a server-side event for someone else). */
  as_user?: string;
  session?: string;
  properties?: Record<string, unknown>;
}

export interface CasePerson {
  id: string;
  user_id?: string | null;
  imported?: boolean;
  bound?: boolean;
  first_seen?: string;
  last_seen?: string;
  attributes?: Record<string, AttributeValue | null>;
  devices?: CaseDevice[];
  events?: CaseEvent[];
}

export interface CaseGroup {
  static?: string[];
  condition?: unknown;
}

export interface CaseOptions {
  types?: Record<string, AttributeType>;
  groups?: Record<string, CaseGroup>;
}

export interface ConditionCase {
  name: string;
  condition: unknown;
  persons: CasePerson[];
  expected: string[];
  options: CaseOptions;
}

export interface CaseFile {
  now: number;
  cases: ConditionCase[];
}

const KEYS = {
  file: ['now', 'fixtures', 'cases'],
  person: [
    'id',
    'user_id',
    'imported',
    'bound',
    'first_seen',
    'last_seen',
    'attributes',
    'devices',
    'events',
  ],
  device: [
    'anonymous_id',
    'device_type',
    'os',
    'browser',
    'first_referrer',
    'first_landing_page',
    'utm_source',
    'utm_medium',
    'utm_campaign',
    'session_count',
    'first_seen',
    'last_seen',
  ],
  event: ['type', 'name', 'url', 'at', 'days_ago', 'device', 'signed_in', 'as_user', 'session', 'properties'],
  options: ['types', 'groups'],
  group: ['static', 'condition'],
};

/**
 * Reads the shared case file: `{now, fixtures: {name: persons}, cases: [[name, condition,
 * persons or a fixture name, expected person ids, options?]]}`. Its shape is checked, so a
 * misspelt key fails the load instead of silently meaning nothing.
 */
export function loadCaseFile(path: string): CaseFile {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  checkKeys(raw, KEYS.file, 'file');
  const now = Date.parse(raw.now as string);
  if (Number.isNaN(now)) throw new Error('case file: now must be an ISO time');
  const fixtures = (raw.fixtures ?? {}) as Record<string, unknown[]>;
  const names = new Set<string>();
  const cases = (raw.cases as unknown[]).map((entry, index) => {
    if (!Array.isArray(entry) || entry.length < 4 || entry.length > 5) {
      throw new Error(`case ${index}: expected [name, condition, persons, expected, options?]`);
    }
    const [name, condition, persons, expected, options = {}] = entry;
    const where = `case ${index} (${name})`;
    if (typeof name !== 'string' || names.has(name)) throw new Error(`${where}: names must be unique text`);
    names.add(name);
    const list = typeof persons === 'string' ? fixtures[persons] : persons;
    if (!Array.isArray(list)) throw new Error(`${where}: no persons (fixture ${JSON.stringify(persons)}?)`);
    for (const person of list) checkPerson(person, where);
    const ids = new Set(list.map((p) => (p as CasePerson).id));
    if (!Array.isArray(expected) || expected.some((id) => !ids.has(id))) {
      throw new Error(`${where}: expected must list ids of its persons`);
    }
    checkKeys(options, KEYS.options, `${where} options`);
    for (const [type, value] of Object.entries((options as CaseOptions).types ?? {})) {
      if (!isAttributeType(value)) throw new Error(`${where}: ${type} has an unknown type ${value}`);
    }
    for (const group of Object.values((options as CaseOptions).groups ?? {})) {
      checkKeys(group, KEYS.group, `${where} group`);
      for (const id of (group as CaseGroup).static ?? []) {
        if (!ids.has(id)) throw new Error(`${where}: static group member ${id} is not a person of the case`);
      }
    }
    return {
      name,
      condition,
      persons: list as CasePerson[],
      expected: expected as string[],
      options: options as CaseOptions,
    };
  });
  return { now, cases };
}

function checkPerson(person: unknown, where: string): void {
  checkKeys(person, KEYS.person, `${where} person`);
  const p = person as CasePerson;
  if (typeof p.id !== 'string') throw new Error(`${where}: a person needs an id`);
  const devices = new Set<string>();
  for (const device of p.devices ?? []) {
    checkKeys(device, KEYS.device, `${where} device of ${p.id}`);
    devices.add(device.anonymous_id);
  }
  for (const event of p.events ?? []) {
    checkKeys(event, KEYS.event, `${where} event of ${p.id}`);
    if ((event.at === undefined) === (event.days_ago === undefined)) {
      throw new Error(`${where}: an event of ${p.id} needs exactly one of at, days_ago`);
    }
    const device = event.device === undefined ? p.devices?.[0]?.anonymous_id : event.device;
    if (device !== null && device !== undefined && !devices.has(device)) {
      throw new Error(`${where}: an event of ${p.id} names an unknown device ${device}`);
    }
    if (device == null && !event.signed_in)
      throw new Error(`${where}: an event of ${p.id} has neither device nor user id`);
  }
}

function checkKeys(value: unknown, allowed: string[], where: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${where}: expected an object`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      throw new Error(`${where}: unknown key "${key}" (expected ${allowed.join(', ')})`);
  }
}

import type { Generated } from 'kysely';

// Persons, their devices and attributes, and the attribute definitions. Part of `Database` (schema.ts).

export interface PersonsTable {
  id: Generated<number>;
  project_id: string;
  user_id: string | null;
  created_at: number;
  first_seen: number;
  last_seen: number;
  /** When the user id was first seen from tracking traffic; null until then. */
  bound_at: number | null;
  /** When an import first wrote this person; null if never imported. */
  imported_at: number | null;
}

export interface DevicesTable {
  project_id: string;
  anonymous_id: string;
  person_id: number;
  first_seen: number;
  last_seen: number;
  user_agent: string | null;
  device_type: string | null;
  os: string | null;
  browser: string | null;
  screen: string | null;
  locale: string | null;
  first_referrer: string | null;
  first_landing_page: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  session_count: number;
  session_id: string | null;
  session_last_at: number | null;
}

export interface PersonAttributesTable {
  project_id: string;
  person_id: number;
  name: string;
  /** JSON text of the value; null is a tombstone left by unset (it still carries updated_at). */
  value: string | null;
  /** Message time of the write that set this value (last writer wins). */
  updated_at: number;
  /** The value read through each type (`typedAttributeColumns`); null for a tombstone or a misfit. */
  text_value: string | null;
  num_value: number | null;
  /** Milliseconds since the epoch. */
  time_value: number | null;
  /** 1 or 0. */
  bool_value: number | null;
  /** JSON list of a list value's elements as text; null for scalars. */
  items: string | null;
}

export interface AttributeDefinitionsTable {
  project_id: string;
  name: string;
  type: string;
  type_source: string;
  from_sdk: number;
  from_server: number;
  from_import: number;
  first_seen: number;
  last_seen: number;
}

/** Persons holding a live value of an attribute, in shards summed when read (SQLite: `person_id % 16`; PostgreSQL: the writing connection, 0037). */
export interface AttributeHoldersTable {
  project_id: string;
  name: string;
  shard: number;
  holders: number;
}

/**
 * SQLite only: how many times a project's experiences, groups or attribute types changed, counted
 * by triggers (migration `0015_decide`); decide reloads what it keeps in memory when it moves.
 */
export interface DefinitionVersionsTable {
  project_id: string;
  version: number;
}

import type { Generated } from 'kysely';

/**
 * The tables of one Acquaint database, as Kysely sees them. Every table carries `project_id`;
 * times are milliseconds since the epoch; JSON columns hold JSON text (jsonb on PostgreSQL).
 */
export interface Database {
  projects: ProjectsTable;
  api_keys: ApiKeysTable;
  persons: PersonsTable;
  devices: DevicesTable;
  person_attributes: PersonAttributesTable;
  attribute_definitions: AttributeDefinitionsTable;
  events: EventsTable;
  received_messages: ReceivedMessagesTable;
  audit_log: AuditLogTable;
}

export interface ProjectsTable {
  id: string;
  name: string;
  write_key: string;
  identity_secret: string;
  verify_identity: number;
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  project_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  scopes: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

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

export interface EventsTable {
  id: Generated<number>;
  project_id: string;
  message_id: string;
  type: string;
  name: string | null;
  anonymous_id: string | null;
  user_id: string | null;
  timestamp: number;
  received_at: number;
  session_id: string | null;
  url: string | null;
  referrer: string | null;
  properties: string;
  context: string;
}

export interface ReceivedMessagesTable {
  project_id: string;
  message_id: string;
  received_at: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  project_id: string;
  at: number;
  actor: string;
  action: string;
  details: string;
}

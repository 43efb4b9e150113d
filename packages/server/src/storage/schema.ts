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
  event_rollup: EventRollupTable;
  report_visits: ReportVisitsTable;
  attribute_holders: AttributeHoldersTable;
  received_messages: ReceivedMessagesTable;
  audit_log: AuditLogTable;
  import_jobs: ImportJobsTable;
  import_job_chunks: ImportJobChunksTable;
  import_errors: ImportErrorsTable;
  ingestion_warnings: IngestionWarningsTable;
  ingestion_log_cursor: IngestionLogCursorTable;
  ingestion_queue: IngestionQueueTable;
  ingestion_partitions: IngestionPartitionsTable;
  ingestion_failed: IngestionFailedTable;
  ingestion_appliers: IngestionAppliersTable;
  groups: GroupsTable;
  group_uses: GroupUsesTable;
  group_pending_users: GroupPendingUsersTable;
  accounts: AccountsTable;
  account_sessions: AccountSessionsTable;
  invitations: InvitationsTable;
  setup_tokens: SetupTokensTable;
  experiences: ExperiencesTable;
  experience_assignments: ExperienceAssignmentsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  group_members: GroupMembersTable;
  watched_groups: WatchedGroupsTable;
  watched_group_members: WatchedGroupMembersTable;
  definition_versions: DefinitionVersionsTable;
}

/** The persons of static groups (dynamic groups are computed from their condition). */
export interface GroupMembersTable {
  project_id: string;
  group_id: string;
  person_id: number;
}

/** A group whose members are kept for webhook group events (filled when a subscription starts listening). */
export interface WatchedGroupsTable {
  group_id: string;
  project_id: string;
  filled_at: number;
}

/** The last known membership of a watched group: one row per member. */
export interface WatchedGroupMembersTable {
  group_id: string;
  person_id: number;
}

export interface ProjectsTable {
  id: string;
  name: string;
  write_key: string;
  identity_secret: string;
  verify_identity: number;
  created_at: number;
  /** IANA time zone of days and weeks in reports (`UTC` unless the owner sets one). */
  timezone: Generated<string>;
  /** Whether experience HTML may hold scripts and inline event handlers (default 0: refused). */
  allow_scripts: Generated<number>;
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

/**
 * Events counted per UTC hour and source, with the person each row resolves to now; kept by
 * triggers (storage/event-rollup-migration.ts). Absent name, ids and session are ''.
 */
export interface EventRollupTable {
  project_id: string;
  hour: number;
  type: string;
  name: string;
  user_id: string;
  anonymous_id: string;
  session_id: string;
  events: number;
  person_id: number | null;
  report_person_id: number | null;
  device_type: string | null;
}

/** Who visited in which UTC hour: how many counted `event_rollup` rows of the hour are the person's. */
export interface ReportVisitsTable {
  project_id: string;
  hour: number;
  person_id: number;
  rollup_rows: number;
}

/** Persons holding a live value of an attribute, in shards (`person_id % 16`) summed when read. */
export interface AttributeHoldersTable {
  project_id: string;
  name: string;
  shard: number;
  holders: number;
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

/** What applying a message found that its sender could not be told at once (identity outcomes). */
export interface IngestionWarningsTable {
  id: Generated<number>;
  project_id: string;
  message_id: string;
  code: string;
  message: string;
  received_at: number;
}

/** How far the ingestion log (SQLite) has been applied: one row, moved in the same transaction. */
export interface IngestionLogCursorTable {
  id: number;
  applied_seq: number;
}

/** Which JetStream stream this database's tracking messages go through. */
export interface IngestionQueueTable {
  id: number;
  stream_key: string;
}

/** A partition of the JetStream ingestion stream: how far it is applied, and who applies it. */
export interface IngestionPartitionsTable {
  partition: number;
  stream: string;
  applied_seq: number;
  owner: string | null;
  lease_until: number;
}

/** A server process applying JetStream partitions, and until when it counts as alive. */
export interface IngestionAppliersTable {
  owner: string;
  seen_until: number;
}

/** A JetStream ingestion message that could not be applied, set aside with its error. */
export interface IngestionFailedTable {
  id: Generated<number>;
  project_id: string;
  partition: number;
  stream_seq: number;
  received_at: number;
  error: string;
  payload: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  project_id: string;
  at: number;
  actor: string;
  action: string;
  details: string;
}

/** One bulk import of user attributes: a CSV file or one `POST /v1/user/profiles` request. */
export interface ImportJobsTable {
  id: string;
  project_id: string;
  /** `csv` (a file, run as a job) or `json` (one bulk upload request). */
  source: string;
  file_name: string | null;
  dry_run: Generated<number>;
  /** pending, running, completed, failed or interrupted. */
  status: string;
  encoding: string | null;
  delimiter: string | null;
  /** JSON list of the header's attribute names, once read. */
  columns: string | null;
  /** Size of the file as the client announced it; null when unknown. */
  size_bytes: number | null;
  /** Bytes of the file behind the rows committed so far. */
  bytes_read: Generated<number>;
  /** Data rows committed so far (applied or refused); a resumed job skips this many. */
  rows_done: Generated<number>;
  /** Rows that were not blank: created + updated + unchanged + failed (or valid + failed in a dry run). */
  rows_received: Generated<number>;
  rows_created: Generated<number>;
  rows_updated: Generated<number>;
  rows_unchanged: Generated<number>;
  rows_failed: Generated<number>;
  duplicates: Generated<number>;
  /** Problems recorded in import_errors (refused rows and duplicate warnings). */
  error_count: Generated<number>;
  /** Why the job failed, when it did. */
  error_code: string | null;
  error_message: string | null;
  api_key_id: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  /** Written while a process runs the job; a running job with an old heartbeat was interrupted. */
  heartbeat_at: number | null;
}

/** The persons one committed chunk of a job wrote ("the users of import job X"). */
export interface ImportJobChunksTable {
  job_id: string;
  seq: number;
  first_row: number;
  last_row: number;
  /** JSON list of person ids. */
  person_ids: string;
}

/** A refused row or a warning of an import job, in file order. */
export interface ImportErrorsTable {
  job_id: string;
  seq: number;
  row: number;
  user_id: string | null;
  field: string | null;
  code: string;
  message: string;
}

/** A user group (DESIGN §4): dynamic (a condition) or static (a list of user ids). */
export interface GroupsTable {
  id: string;
  project_id: string;
  name: string;
  /** `dynamic` or `static`. */
  type: string;
  /** JSON of a dynamic group's condition (DESIGN §5); null for static groups. */
  condition: string | null;
  /** The import job a static group was made from ("the users of import X"), if any. */
  import_id: string | null;
  created_at: number;
  updated_at: number;
}

/** A dashboard account; its role (owner, admin, viewer) holds in every project of the install. */
export interface AccountsTable {
  id: string;
  /** Lower-cased. */
  email: string;
  /** argon2id hash (PHC string). */
  password_hash: string;
  role: string;
  created_at: number;
}

/** A signed-in browser: the SHA-256 of its cookie token, and the token its changes must echo. */
export interface AccountSessionsTable {
  token_hash: string;
  account_id: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

/** A link to copy that lets one person create an account with `role`. */
export interface InvitationsTable {
  id: string;
  token_hash: string;
  role: string;
  email: string | null;
  created_by: string;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
}

/** The one-time token `acquaint start` prints while no owner exists. */
export interface SetupTokensTable {
  token_hash: string;
  created_at: number;
  expires_at: number;
}

/** A personalised experience; `definition` is the JSON of its pages, target, variants, goal and frequency. */
export interface ExperiencesTable {
  id: string;
  project_id: string;
  name: string;
  type: string;
  /** draft, published or paused. */
  status: string;
  priority: number;
  starts_at: number | null;
  ends_at: number | null;
  definition: string;
  created_at: number;
  updated_at: number;
  published_at: number | null;
}

/** The variant a person was given for an experience (sticky across devices), and when it last showed. */
export interface ExperienceAssignmentsTable {
  project_id: string;
  experience_id: string;
  person_id: number;
  variant: string;
  assigned_at: number;
  last_shown_at: number;
  /** The session in which decide last answered it (once-per-session frequency). */
  last_session_id: string | null;
}

/** A webhook subscription (DESIGN §4 "Destinations: webhooks"). */
export interface WebhooksTable {
  id: string;
  project_id: string;
  url: string;
  /** JSON list of event types. */
  events: string;
  /** JSON list of group ids the group events are limited to; null for every group. */
  group_ids: string | null;
  /** JSON list of attribute names sent with each event (and watched by `user.attributes_changed`). */
  attributes: string;
  /** The signing secret, encrypted (webhooks/secret-box.ts): a database dump does not reveal it. */
  secret_sealed: string;
  /** `active` or `paused` (by the owner, or after failing for 3 days). */
  status: string;
  /** Start of the current run of failed attempts; null after a success. */
  failing_since: number | null;
  created_at: number;
  updated_at: number;
}

/** A group named by `in_group` in another group's condition (for cycles and 409 on delete). */
export interface GroupUsesTable {
  project_id: string;
  group_id: string;
  used_group_id: string;
}

/** A user id of a static group that no person holds yet; it becomes a member when one does. */
export interface GroupPendingUsersTable {
  project_id: string;
  group_id: string;
  user_id: string;
}

/** One event to send to one subscription: the outbox row, written with the change that caused it. */
export interface WebhookDeliveriesTable {
  /** Order of the outbox; a person's later delivery waits for its earlier ones. */
  seq: Generated<number>;
  /** The `id` of the payload, the same on every attempt. */
  id: string;
  webhook_id: string;
  project_id: string;
  person_id: number | null;
  type: string;
  /** The JSON body sent, byte for byte, on every attempt. */
  payload: string;
  /** `pending`, `delivered` or `failed`. */
  status: string;
  attempts: Generated<number>;
  next_attempt_at: number;
  /** After this, a failed attempt marks the delivery failed instead of scheduling another. */
  give_up_at: number;
  /** A worker claimed the delivery until this time; after it (a crash), another worker may. */
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
  finished_at: number | null;
}

/** One attempt to send a delivery: when, the answer's status (null when none came), how long, why it failed. */
export interface WebhookAttemptsTable {
  delivery_id: string;
  attempt: number;
  at: number;
  status: number | null;
  duration_ms: number;
  error: string | null;
}

/**
 * SQLite only: how many times a project's experiences, groups or attribute types changed, counted
 * by triggers (migration `0015_decide`); decide reloads what it keeps in memory when it moves.
 */
export interface DefinitionVersionsTable {
  project_id: string;
  version: number;
}

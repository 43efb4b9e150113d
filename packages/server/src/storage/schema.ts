import type {
  AccountSessionsTable,
  AccountsTable,
  ApiKeysTable,
  AuditLogTable,
  InvitationsTable,
  ProjectsTable,
  SetupTokensTable,
} from './account-tables.js';
import type { EventRollupTable, EventsTable } from './event-tables.js';
import type { ExperienceAssignmentsTable, ExperiencesTable } from './experience-tables.js';
import type {
  GroupMembersTable,
  GroupPendingUsersTable,
  GroupsTable,
  GroupUsesTable,
  WatchedGroupMembersTable,
  WatchedGroupsTable,
} from './group-tables.js';
import type { ImportErrorsTable, ImportJobChunksTable, ImportJobsTable } from './import-tables.js';
import type {
  IngestionAppliersTable,
  IngestionFailedTable,
  IngestionLogCursorTable,
  IngestionPartitionsTable,
  IngestionQueueTable,
  IngestionWarningsTable,
  ReceivedMessagesTable,
} from './ingestion-tables.js';
import type {
  AttributeDefinitionsTable,
  AttributeHoldersTable,
  DefinitionVersionsTable,
  DevicesTable,
  PersonAttributesTable,
  PersonsTable,
} from './person-tables.js';
import type { WebhookAttemptsTable, WebhookDeliveriesTable, WebhooksTable } from './webhook-tables.js';

export type * from './account-tables.js';
export type * from './event-tables.js';
export type * from './experience-tables.js';
export type * from './group-tables.js';
export type * from './import-tables.js';
export type * from './ingestion-tables.js';
export type * from './person-tables.js';
export type * from './webhook-tables.js';

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

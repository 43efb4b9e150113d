import type { Generated } from 'kysely';

// Stored events and their hourly rollup. Part of `Database` (schema.ts).

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

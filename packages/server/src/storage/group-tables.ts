// User groups, their members and the groups watched for webhook events. Part of `Database` (schema.ts).

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

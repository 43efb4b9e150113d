import type { Generated } from 'kysely';

// Projects, their API keys, the audit log and the dashboard accounts. Part of `Database` (schema.ts).

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

export interface AuditLogTable {
  id: Generated<number>;
  project_id: string;
  at: number;
  actor: string;
  action: string;
  details: string;
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

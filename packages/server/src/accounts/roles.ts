import type { ApiKeyScope } from '../projects/keys.js';

export const ROLES = ['owner', 'admin', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** What each role may do, as API key scopes (DESIGN §4): owner and admin all three, viewer reads. */
const ROLE_SCOPES: Record<Role, ApiKeyScope[]> = {
  owner: ['query', 'upload', 'admin'],
  admin: ['query', 'upload', 'admin'],
  viewer: ['query'],
};

export function scopesOfRole(role: string): ApiKeyScope[] {
  return ROLE_SCOPES[role as Role] ?? [];
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

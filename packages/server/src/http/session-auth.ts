import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { activeSession, type NewSession, SESSION_TTL_MS } from '../accounts/account-sessions.js';
import { scopesOfRole } from '../accounts/roles.js';
import { RequestError } from '../errors/error-codes.js';
import type { ApiKeyScope } from '../projects/keys.js';
import type { AccountRow } from '../storage/account-repository.js';
import { findProject, type ProjectRow } from '../storage/project-repository.js';
import type { Store } from '../storage/store.js';

export const SESSION_COOKIE = 'acquaint_session';
/** The header naming the project of a session request. */
export const PROJECT_HEADER = 'x-acquaint-project';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The session token in the request's cookie, if any. */
export function sessionToken(request: FastifyRequest): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE && value.length > 0) return decodeURIComponent(value.join('='));
  }
  return null;
}

/** Sets (or, with null, clears) the HttpOnly, SameSite=Lax session cookie. */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, session: NewSession | null) {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  const value = session ? encodeURIComponent(session.token) : '';
  const maxAge = session ? Math.floor(SESSION_TTL_MS / 1000) : 0;
  void reply.header(
    'set-cookie',
    `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure}`,
  );
}

/**
 * Dashboard sessions (DESIGN §4 "Dashboard"): an account's cookie, its role's scopes, the project
 * named by `X-Acquaint-Project`, and CSRF protection on every change: the request must come from
 * this server's own origin and echo the session's CSRF token in `X-CSRF-Token`.
 */
export class SessionAuth {
  constructor(private readonly store: Store) {}

  /** The signed-in account; for a change (any method but GET/HEAD), also checks origin and token. */
  async account(request: FastifyRequest): Promise<{ account: AccountRow; csrfToken: string }> {
    const token = sessionToken(request);
    const session = token ? await activeSession(this.store.db, token) : null;
    if (!session) {
      throw new RequestError('NOT_SIGNED_IN', 'sign in first (no session, or it expired or was signed out)');
    }
    if (!SAFE_METHODS.has(request.method)) checkCsrf(request, session.csrfToken);
    return { account: session.account, csrfToken: session.csrfToken };
  }

  /** A session standing in for an API key: the project of `X-Acquaint-Project`, if the role allows `scope`. */
  async principal(
    request: FastifyRequest,
    scope: ApiKeyScope,
  ): Promise<{ project: ProjectRow; key: { id: string } }> {
    const { account } = await this.account(request);
    requireRoleScope(account.role, scope);
    const projectId = request.headers[PROJECT_HEADER];
    if (typeof projectId !== 'string' || projectId === '') {
      throw new RequestError('PROJECT_REQUIRED', 'name the project in the X-Acquaint-Project header');
    }
    const project = await findProject(this.store.db, projectId);
    if (!project) throw new RequestError('NOT_FOUND', `no project "${projectId}"`);
    return { project, key: { id: `account:${account.id}` } };
  }
}

/** Refuses (403) a signed-in account whose role lacks `scope`. */
export function requireRoleScope(role: string, scope: ApiKeyScope): void {
  if (!scopesOfRole(role).includes(scope)) {
    throw new RequestError(
      'ROLE_FORBIDDEN',
      `your role (${role}) may not do this; it needs an owner or admin (scope "${scope}")`,
    );
  }
}

/** strategy: same-origin first (Origin, else Referer), then the token, compared in constant time. */
function checkCsrf(request: FastifyRequest, expected: string): void {
  const own = `${request.protocol}://${request.host}`;
  const origin = request.headers.origin ?? originOf(request.headers.referer);
  if (origin !== undefined && origin !== own) {
    throw new RequestError('CSRF_REFUSED', `a change from another site (${origin}) is refused`);
  }
  const sent = Buffer.from(String(request.headers[CSRF_HEADER] ?? ''));
  const wanted = Buffer.from(expected);
  if (sent.length !== wanted.length || !timingSafeEqual(sent, wanted)) {
    throw new RequestError('CSRF_REFUSED', 'a change needs the X-CSRF-Token header of the session');
  }
}

function originOf(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}

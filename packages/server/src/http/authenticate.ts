import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RequestError } from '../errors/error-codes.js';
import { type ApiKeyScope, hashApiKey } from '../projects/keys.js';
import {
  type ApiKeyRow,
  findLiveApiKey,
  findProject,
  findProjectByWriteKey,
  markApiKeyUsed,
  type ProjectRow,
} from '../storage/project-repository.js';
import type { Store } from '../storage/store.js';
import type { RateLimiter } from './rate-limiter.js';
import { requireRoleScope, SessionAuth, sessionToken } from './session-auth.js';

/** Projects by write key, kept briefly: every tracking request needs one and keys rarely change. */
const WRITE_KEY_TTL_MS = 5_000;
/** `last_used_at` of an API key is written at most this often. */
const KEY_USE_WRITE_INTERVAL_MS = 60_000;

/** The rate limits authentication applies (token buckets). */
export interface AuthenticationLimits {
  /** Tracking requests per project. */
  tracking: RateLimiter;
  /** Requests per secret API key. */
  apiKey: RateLimiter;
  /** Requests with a missing, unknown or revoked key, per client address. */
  failedKeys: RateLimiter;
}

type ApiKeyAuth = { project: ProjectRow; key: ApiKeyRow };

export class Authenticator {
  private readonly writeKeys = new Map<string, { project: ProjectRow | undefined; at: number }>();
  /** What the early check found, for the route's handler. */
  private readonly early = new WeakMap<FastifyRequest, ApiKeyAuth | ProjectRow>();
  /** Dashboard sessions, accepted wherever an API key is (see SessionAuth). */
  readonly sessions: SessionAuth;

  constructor(
    private readonly store: Store,
    private readonly limits: AuthenticationLimits,
  ) {
    this.sessions = new SessionAuth(store);
  }

  /**
   * Checks the key a request carries in a header before its body is read, so that a request
   * without a valid key costs no parsing: a route documented with the `apiKey` security scheme
   * needs a live API key with the scope the route names (`security: [{ apiKey: ['admin'] }]`),
   * so a key of the wrong scope gets 403 before any body is parsed or validated; a `writeKey`
   * route given a Basic auth header needs a known write key (a key sent in the body is read within
   * the body's limit, inflated bytes counted). An address that keeps sending missing or wrong keys
   * is refused (429) before any lookup. Register before any other `onRequest` hook.
   */
  register(app: FastifyInstance): void {
    // Callback-style: a request with nothing to look up (a public route without a key in a header,
    // say decide with its key in the body) passes without a promise.
    app.addHook('onRequest', (request, _reply, done) => {
      const schemes = securitySchemes(request.routeOptions.schema?.security);
      if (!schemes.has('apiKey')) {
        if (!schemes.has('writeKey') || basicAuthUser(request.headers.authorization) === null) {
          try {
            if (schemes.has('writeKey')) this.refuseRepeatedFailures(request);
          } catch (error) {
            done(error as Error);
            return;
          }
          done();
          return;
        }
      }
      this.checkEarly(request, schemes).then(() => done(), done);
    });
  }

  /** The early check of a request that brings a key in a header (or a session). */
  private async checkEarly(request: FastifyRequest, schemes: ReadonlyMap<string, string[]>): Promise<void> {
    const scope = schemes.get('apiKey')?.[0] as ApiKeyScope | undefined;
    if (schemes.has('apiKey') && usesSession(request)) {
      // A dashboard session: checked (and a change CSRF-checked) before the body too.
      const { account } = await this.sessions.account(request);
      if (scope) requireRoleScope(account.role, scope);
    } else if (schemes.has('apiKey')) {
      this.refuseRepeatedFailures(request);
      const auth = await this.countingFailures(request, () => this.liveApiKey(request));
      if (scope) requireKeyScope(auth.key, scope);
      this.early.set(request, auth);
    } else if (schemes.has('writeKey')) {
      this.refuseRepeatedFailures(request);
      if (basicAuthUser(request.headers.authorization) === null) return;
      this.early.set(
        request,
        await this.countingFailures(request, () => this.writeKeyProject(request, null)),
      );
    }
  }

  /**
   * The project of a tracking request: the write key is the Basic auth user name (Segment's way)
   * or `writeKey` in the body. `limiter` is the project's rate limit to take from (tracking's by
   * default; decide has its own, so a flood of one never starves the other).
   */
  async projectForWriteKey(
    request: FastifyRequest,
    body: unknown,
    limiter: RateLimiter = this.limits.tracking,
  ): Promise<ProjectRow> {
    const found = this.early.get(request);
    const project =
      found && !('key' in found)
        ? found
        : await this.countingFailures(request, () => this.writeKeyProject(request, body));
    this.limit(limiter, project.id);
    return project;
  }

  private async writeKeyProject(request: FastifyRequest, body: unknown): Promise<ProjectRow> {
    const writeKey = basicAuthUser(request.headers.authorization) ?? bodyWriteKey(body);
    if (!writeKey) {
      throw new RequestError(
        'MISSING_WRITE_KEY',
        'send the write key as the Basic auth user name or as "writeKey" in the body',
      );
    }
    const now = Date.now();
    let cached = this.writeKeys.get(writeKey);
    if (!cached || now - cached.at > WRITE_KEY_TTL_MS) {
      cached = { project: await findProjectByWriteKey(this.store.db, writeKey), at: now };
      if (this.writeKeys.size > 10_000) this.writeKeys.clear();
      this.writeKeys.set(writeKey, cached);
    }
    if (!cached.project)
      throw new RequestError(
        'UNKNOWN_WRITE_KEY',
        'the write key belongs to no project; copy it from your project settings',
      );
    return cached.project;
  }

  /**
   * The project and key of a server API request (`Authorization: Bearer <api key>`), checked for
   * `scope`. Keys are read from the database on every request, so a revoked key stops at once on
   * every server process. Without an Authorization header, a dashboard session cookie stands in
   * for a key (its role's scopes, the project of `X-Acquaint-Project`, CSRF-checked changes).
   */
  async apiKey(
    request: FastifyRequest,
    scope: ApiKeyScope,
  ): Promise<{ project: ProjectRow; key: Pick<ApiKeyRow, 'id'> }> {
    if (usesSession(request)) return this.sessions.principal(request, scope);
    const found = this.early.get(request);
    const auth =
      found && 'key' in found ? found : await this.countingFailures(request, () => this.liveApiKey(request));
    requireKeyScope(auth.key, scope);
    return auth;
  }

  private async liveApiKey(request: FastifyRequest): Promise<ApiKeyAuth> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match)
      throw new RequestError(
        'MISSING_API_KEY',
        'send "Authorization: Bearer <api key>" with a secret API key',
      );
    const key = await findLiveApiKey(this.store.db, hashApiKey(match[1]));
    if (!key) throw new RequestError('INVALID_API_KEY', 'the API key is unknown or revoked');
    this.limit(this.limits.apiKey, key.id);
    const now = Date.now();
    if (key.last_used_at === null || now - key.last_used_at > KEY_USE_WRITE_INTERVAL_MS) {
      await markApiKeyUsed(this.store.db, key.id, now);
    }
    const project = await findProject(this.store.db, key.project_id);
    if (!project) throw new RequestError('INVALID_API_KEY', 'the API key belongs to a deleted project');
    return { project, key };
  }

  /** Forgets cached write keys (after a project setting changes). */
  forgetWriteKeys(): void {
    this.writeKeys.clear();
  }

  /** Runs a key lookup; a refusal of the key counts against the client's address. */
  private async countingFailures<T>(request: FastifyRequest, lookup: () => Promise<T>): Promise<T> {
    try {
      return await lookup();
    } catch (error) {
      if (error instanceof RequestError && error.status === 401) this.limits.failedKeys.take(request.ip);
      throw error;
    }
  }

  private refuseRepeatedFailures(request: FastifyRequest): void {
    const wait = this.limits.failedKeys.wait(request.ip);
    if (wait > 0) {
      throw new RequestError(
        'RATE_LIMITED',
        `too many requests with a missing or wrong key from this address; retry in ${wait} s`,
        { 'retry-after': String(wait) },
      );
    }
  }

  private limit(limiter: RateLimiter, key: string): void {
    const wait = limiter.take(key);
    if (wait > 0) {
      throw new RequestError('RATE_LIMITED', `rate limit reached; retry in ${wait} s`, {
        'retry-after': String(wait),
      });
    }
  }
}

function requireKeyScope(key: ApiKeyRow, scope: ApiKeyScope): void {
  const scopes = key.scopes.split(',');
  if (!scopes.includes(scope)) {
    throw new RequestError(
      'API_KEY_SCOPE',
      `this route needs an API key with the "${scope}" scope; this key has: ${scopes.join(', ')}`,
    );
  }
}

/** Schemes read per route schema's `security` list (a route's schema never changes once added). */
const schemesOf = new WeakMap<object, ReadonlyMap<string, string[]>>();
const NO_SCHEMES: ReadonlyMap<string, string[]> = new Map();

/**
 * The security schemes a route's schema names, with their scopes (`[{ apiKey: ['admin'] }]`);
 * read once per list (the authentication hook asks on every request).
 */
export function securitySchemes(security: unknown): ReadonlyMap<string, string[]> {
  if (!Array.isArray(security)) return NO_SCHEMES;
  let schemes = schemesOf.get(security);
  if (!schemes) {
    schemes = new Map(
      security.flatMap((requirement) => Object.entries(requirement as Record<string, string[]>)),
    );
    schemesOf.set(security, schemes);
  }
  return schemes;
}

function basicAuthUser(header: string | undefined): string | null {
  const match = /^Basic\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const user = decoded.split(':')[0];
  return user ? user : null;
}

function bodyWriteKey(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const key = (body as { writeKey?: unknown }).writeKey;
  return typeof key === 'string' && key.length > 0 ? key : null;
}

/** A dashboard request: a session cookie and no Authorization header. */
function usesSession(request: FastifyRequest): boolean {
  return request.headers.authorization === undefined && sessionToken(request) !== null;
}

import type { FastifyRequest } from 'fastify';
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
import { SessionAuth, sessionToken } from './session-auth.js';

/** Projects by write key, kept briefly: every tracking request needs one and keys rarely change. */
const WRITE_KEY_TTL_MS = 5_000;
/** `last_used_at` of an API key is written at most this often. */
const KEY_USE_WRITE_INTERVAL_MS = 60_000;

export class Authenticator {
  private readonly writeKeys = new Map<string, { project: ProjectRow | undefined; at: number }>();
  /** Dashboard sessions, accepted wherever an API key is (see SessionAuth). */
  readonly sessions: SessionAuth;

  constructor(
    private readonly store: Store,
    private readonly trackingLimiter: RateLimiter,
    private readonly apiKeyLimiter: RateLimiter,
  ) {
    this.sessions = new SessionAuth(store);
  }

  /**
   * The project of a tracking request: the write key is the Basic auth user name (Segment's way)
   * or `writeKey` in the body.
   */
  async projectForWriteKey(request: FastifyRequest, body: unknown): Promise<ProjectRow> {
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
    this.limit(this.trackingLimiter, cached.project.id);
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
    if (request.headers.authorization === undefined && sessionToken(request) !== null) {
      return this.sessions.principal(request, scope);
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match)
      throw new RequestError(
        'MISSING_API_KEY',
        'send "Authorization: Bearer <api key>" with a secret API key',
      );
    const key = await findLiveApiKey(this.store.db, hashApiKey(match[1]));
    if (!key) throw new RequestError('INVALID_API_KEY', 'the API key is unknown or revoked');
    const scopes = key.scopes.split(',');
    if (!scopes.includes(scope)) {
      throw new RequestError(
        'API_KEY_SCOPE',
        `this route needs an API key with the "${scope}" scope; this key has: ${scopes.join(', ')}`,
      );
    }
    this.limit(this.apiKeyLimiter, key.id);
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

  private limit(limiter: RateLimiter, key: string): void {
    const wait = limiter.take(key);
    if (wait > 0) {
      throw new RequestError('RATE_LIMITED', `rate limit reached; retry in ${wait} s`, {
        'retry-after': String(wait),
      });
    }
  }
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

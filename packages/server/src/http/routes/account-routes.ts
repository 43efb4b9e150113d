import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type NewSession, signIn, signOut, startSession } from '../../accounts/account-sessions.js';
import type { AccountResult } from '../../accounts/create-account.js';
import { completeSetup, setupNeeded } from '../../accounts/first-run-setup.js';
import { RequestError } from '../../errors/error-codes.js';
import type { AccountRow } from '../../storage/account-repository.js';
import type { AppContext } from '../app-context.js';
import { RateLimiter } from '../rate-limiter.js';
import { sessionToken, setSessionCookie } from '../session-auth.js';
import { documentedAsSent, signedOutAnswer } from './answer-schemas.js';
import { errorResponses } from './route-schemas.js';

const credentials = {
  type: 'object',
  required: ['email', 'password'],
  additionalProperties: false,
  properties: {
    email: { type: 'string', maxLength: 254 },
    password: { type: 'string', minLength: 1, maxLength: 1024 },
  },
} as const;

export const accountSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    role: { type: 'string', enum: ['owner', 'admin', 'viewer'] },
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;

const sessionAnswer = {
  type: 'object',
  properties: {
    account: accountSchema,
    csrf_token: { type: 'string', description: 'Send it as `X-CSRF-Token` with every change.' },
  },
} as const;

export const accountView = (a: AccountRow) => ({
  id: a.id,
  email: a.email,
  role: a.role,
  created_at: new Date(Number(a.created_at)).toISOString(),
});

/** Sends a new session: the HttpOnly cookie plus the CSRF token in the body. */
export function sendSession(request: FastifyRequest, reply: FastifyReply, session: NewSession, status = 200) {
  setSessionCookie(request, reply, session);
  return reply.code(status).send({ account: accountView(session.account), csrf_token: session.csrfToken });
}

/** A refused account creation as its 4xx. */
export function refuse(result: Extract<AccountResult, { ok: false }>): never {
  throw new RequestError(result.code as 'INVALID_EMAIL', result.message);
}

/** First-run setup and sign-in / sign-out of the dashboard (cookie sessions). */
export async function accountRoutes(
  app: FastifyInstance,
  { context }: { context: AppContext },
): Promise<void> {
  const { store } = context;
  // Ten tries at once, then one every 30 s, per client address and per e-mail address.
  const signInLimiter = new RateLimiter(1 / 30, 10);
  const limit = (key: string) => {
    const wait = signInLimiter.take(key);
    if (wait > 0) {
      throw new RequestError('RATE_LIMITED', `too many sign-in attempts; retry in ${wait} s`, {
        'retry-after': String(wait),
      });
    }
  };

  app.get(
    '/api/setup',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Whether first-run setup is still needed (no owner account yet)',
        response: { 200: { type: 'object', properties: { needed: { type: 'boolean' } } }, ...errorResponses },
      },
    },
    async () => ({ needed: await setupNeeded(store) }),
  );

  app.post(
    '/api/setup',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Create the owner account with the one-time token `acquaint start` printed',
        body: {
          ...credentials,
          required: ['token', 'email', 'password'],
          properties: { ...credentials.properties, token: { type: 'string', maxLength: 200 } },
        },
        response: { 201: sessionAnswer, ...errorResponses },
      },
    },
    async (request, reply) => {
      limit(`ip:${request.ip}`);
      const body = request.body as { token: string; email: string; password: string };
      const created = await completeSetup(store, body);
      if (!created.ok) refuse(created);
      return sendSession(request, reply, await startSession(store.db, created.account), 201);
    },
  );

  app.post(
    '/api/session',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Sign in with e-mail and password; sets the HttpOnly session cookie',
        body: credentials,
        response: { 200: sessionAnswer, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body as { email: string; password: string };
      limit(`ip:${request.ip}`);
      limit(`email:${email.trim().toLowerCase()}`);
      const session = await signIn(store.db, email, password);
      if (!session)
        throw new RequestError('INVALID_CREDENTIALS', 'the e-mail address or the password is wrong');
      return sendSession(request, reply, session);
    },
  );

  app.get(
    '/api/session',
    {
      schema: {
        tags: ['accounts'],
        summary: 'The signed-in account and its CSRF token',
        response: { 200: sessionAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const { account, csrfToken } = await context.auth.sessions.account(request);
      return { account: accountView(account), csrf_token: csrfToken };
    },
  );

  app.delete(
    '/api/session',
    {
      ...documentedAsSent,
      schema: {
        tags: ['accounts'],
        summary: 'Sign out: ends the session and clears its cookie',
        response: { 200: signedOutAnswer, ...errorResponses },
      },
    },
    async (request, reply) => {
      await context.auth.sessions.account(request);
      await signOut(store.db, sessionToken(request) as string);
      setSessionCookie(request, reply, null);
      return { signed_out: true };
    },
  );
}

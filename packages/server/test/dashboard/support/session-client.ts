import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { issueSetupToken } from '../../../src/accounts/first-run-setup.js';
import type { Store } from '../../../src/storage/store.js';

export const OWNER = { email: 'owner@shop.example', password: 'correct horse battery' };

/** A signed-in dashboard browser, as `inject()` calls: its cookie, CSRF token and project header. */
export interface SessionClient {
  cookie: string;
  csrfToken: string;
  get(url: string): Promise<LightMyRequestResponse>;
  /** A change with the cookie, the CSRF token and the server's own Origin. */
  send(
    method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
  ): Promise<LightMyRequestResponse>;
}

/** The `acquaint_session` cookie an answer sets (`name=value`). */
export function sessionCookieOf(response: LightMyRequestResponse): string {
  const header = String(response.headers['set-cookie'] ?? '');
  return header.split(';')[0];
}

export function sessionClient(
  app: FastifyInstance,
  answer: LightMyRequestResponse,
  projectId: string,
): SessionClient {
  const cookie = sessionCookieOf(answer);
  const csrfToken = (answer.json() as { csrf_token: string }).csrf_token;
  const headers = { cookie, 'x-acquaint-project': projectId };
  return {
    cookie,
    csrfToken,
    get: (url) => app.inject({ method: 'GET', url, headers }),
    send: (method, url, payload) =>
      app.inject({
        method,
        url,
        headers: {
          ...headers,
          'x-csrf-token': csrfToken,
          origin: 'http://localhost:80',
          host: 'localhost:80',
        },
        ...(payload === undefined ? {} : { payload: payload as object }),
      }),
  };
}

/** Runs first-run setup for OWNER and answers the owner's signed-in client. */
export async function setUpOwner(
  app: FastifyInstance,
  store: Store,
  projectId: string,
): Promise<SessionClient> {
  const token = (await issueSetupToken(store)) as string;
  const answer = await app.inject({ method: 'POST', url: '/api/setup', payload: { token, ...OWNER } });
  if (answer.statusCode !== 201) throw new Error(`setup failed: ${answer.body}`);
  return sessionClient(app, answer, projectId);
}

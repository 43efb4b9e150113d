import type { TestServer } from '../support/test-server.js';

/** A banner for everyone with one variant, as an owner would send it. */
export function bannerBody(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Gold offer',
    type: 'banner',
    pages: { match: 'all' },
    target: { everyone: true },
    variants: [{ name: 'gold', weight: 100, content: { html: '<p>Hello {{first_name}}</p>' } }],
    ...overrides,
  };
}

/** Calls to the experience routes and decide through `inject()`. */
export function experienceClient(server: Pick<TestServer, 'app' | 'apiKey' | 'writeKey'>) {
  const call = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
    key = server.apiKey,
  ) =>
    server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  return {
    call,
    /** Creates and publishes; returns the experience's id. */
    async publish(body: Record<string, unknown>): Promise<string> {
      const created = await call('POST', '/api/experiences', body);
      if (created.statusCode !== 201) throw new Error(`create failed: ${created.body}`);
      const id = created.json().id as string;
      const published = await call('POST', `/api/experiences/${id}/publish`);
      if (published.statusCode !== 200) throw new Error(`publish failed: ${published.body}`);
      return id;
    },
    decide: (body: Record<string, unknown>, writeKey = server.writeKey) =>
      server.app.inject({ method: 'POST', url: '/v1/decide', payload: { writeKey, ...body } }),
  };
}

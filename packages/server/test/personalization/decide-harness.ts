import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { at } from '../api/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import type { Backend } from '../support/test-stores.js';
import { bannerBody, experienceClient } from './experience-fixtures.js';

/** The page decide is asked about unless a test says otherwise. */
export const PAGE = 'https://shop.example/home';

/** A shown experience as decide answers it. */
export interface Shown {
  id: string;
  type: string;
  variant: string;
  content: unknown;
}

/**
 * One test server per suite (registered in the calling `describe`), its experiences deleted
 * before each test, with the calls decide tests make.
 */
export function decideHarness(backend: Backend) {
  let server: TestServer;
  let client: ReturnType<typeof experienceClient>;
  beforeAll(async () => {
    server = await startTestServer({ backend, listen: false });
    client = experienceClient(server);
  });
  afterAll(() => server.close());
  beforeEach(async () => {
    const list = (await client.call('GET', '/api/experiences?limit=200')).json();
    for (const e of list.experiences) await client.call('DELETE', `/api/experiences/${e.id}`);
  });
  return {
    get server() {
      return server;
    },
    get client() {
      return client;
    },
    /** Sends tracking messages and waits until they are applied. */
    async batch(messages: unknown[]) {
      const response = await server.app.inject({
        method: 'POST',
        url: '/v1/batch',
        payload: { writeKey: server.writeKey, batch: messages },
      });
      expect(response.statusCode).toBe(200);
      await server.settled();
    },
    /** Each user identifies on a device of its own, `<user>-phone`. */
    async identifyOnPhones(users: string[]) {
      await this.batch(
        users.map((user) => ({
          type: 'identify',
          anonymousId: `${user}-phone`,
          userId: user,
          timestamp: at(0),
        })),
      );
    },
    /** Decide on PAGE (unless the body names a url); expects a 200. */
    async decide(body: Record<string, unknown>): Promise<Shown[]> {
      const response = await client.decide({ url: PAGE, ...body });
      expect(response.statusCode, response.body).toBe(200);
      return response.json().experiences as Shown[];
    },
  };
}

/** A banner split 50/50 between variants `a` and `b`, with an optional control. */
export function abSplit(control_weight = 0) {
  return bannerBody({
    control_weight,
    variants: [
      { name: 'a', weight: 50, content: { html: 'A' } },
      { name: 'b', weight: 50, content: { html: 'B' } },
    ],
  });
}

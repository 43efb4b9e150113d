import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LISTENER_NAME } from '../../src/storage/postgres-backend.js';
import { type CliServer, cliDatabase, startCliServer, stopCliServer } from '../support/cli-server.js';
import { describePostgres } from '../support/test-stores.js';
import { bannerBody } from './experience-fixtures.js';

const PAGE = 'https://shop.example/home';

/**
 * Decide's memory across real processes: two `acquaint start` on one PostgreSQL database; every
 * change made through A (an upload, a group edit, an experience change) shows on the next decide
 * through B, also after B's listening connection was cut.
 */
describePostgres('decide across two server processes', () => {
  const database = cliDatabase('acq_decide');
  const databaseUrl = database.url;
  let a: CliServer;
  let b: CliServer;
  let keys: { write_key: string; api_key: string };
  let db: pg.Client;

  beforeAll(async () => {
    keys = await database.create();
    [a, b] = await Promise.all([
      startCliServer(['--database', databaseUrl]),
      startCliServer(['--database', databaseUrl]),
    ]);
    db = new pg.Client({ connectionString: databaseUrl });
    db.on('error', () => {});
    await db.connect();
    await waitForListeners(2);
  });

  afterAll(async () => {
    await Promise.all([stopCliServer(a), stopCliServer(b)]);
    await db?.end();
    await database.drop();
  });

  const call = async (server: CliServer, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${keys.api_key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    expect(response.status, text).toBeLessThan(300);
    return text ? JSON.parse(text) : null;
  };
  const shownBy = async (server: CliServer, anonymousId: string) => {
    const answer = await call(server, 'POST', '/v1/decide', {
      writeKey: keys.write_key,
      anonymousId,
      url: PAGE,
    });
    return (answer.experiences as { id: string; content: unknown }[]).map((e) => [e.id, e.content]);
  };
  const listeners = async () => {
    const { rows } = await db.query(
      'select pid from pg_stat_activity where application_name = $1 and datname = current_database()',
      [LISTENER_NAME],
    );
    return rows as { pid: number }[];
  };
  async function waitForListeners(count: number): Promise<void> {
    for (let i = 0; i < 100 && (await listeners()).length < count; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await listeners()).toHaveLength(count);
  }

  it('an upload, a group edit and an experience change through A show on the next decide through B', async () => {
    await call(a, 'POST', '/v1/identify', {
      writeKey: keys.write_key,
      anonymousId: 'anon-mp',
      userId: 'member-mp',
      traits: { tier: 'silver' },
    });
    const group = (await call(a, 'POST', '/api/groups', {
      name: 'Gold tier',
      condition: { attr: 'tier', op: 'eq', value: 'gold' },
    })) as { id: string };
    const { id: offer } = (await call(
      a,
      'POST',
      '/api/experiences',
      bannerBody({ target: { groups: [group.id] } }),
    )) as {
      id: string;
    };
    await call(a, 'POST', `/api/experiences/${offer}/publish`);
    expect(await shownBy(b, 'anon-mp')).toEqual([]);

    await call(a, 'POST', '/v1/user/profiles', {
      field_name: ['user_id', 'tier'],
      values: [['member-mp', 'gold']],
    });
    expect(await shownBy(b, 'anon-mp')).toEqual([[offer, { html: '<p>Hello </p>' }]]);

    await call(a, 'PATCH', `/api/groups/${group.id}`, {
      condition: { attr: 'tier', op: 'eq', value: 'diamond' },
    });
    expect(await shownBy(b, 'anon-mp')).toEqual([]);

    await call(a, 'PATCH', `/api/groups/${group.id}`, {
      condition: { attr: 'tier', op: 'eq', value: 'gold' },
    });
    expect(await shownBy(b, 'anon-mp')).toEqual([[offer, { html: '<p>Hello </p>' }]]);

    await call(a, 'PATCH', `/api/experiences/${offer}`, {
      variants: [{ name: 'gold', weight: 100, content: { html: 'changed' } }],
    });
    expect(await shownBy(b, 'anon-mp')).toEqual([[offer, { html: 'changed' }]]);
  });

  it('with its listening connection cut, B still answers what A changed, and listens again', async () => {
    const { id: offer } = (await call(a, 'POST', '/api/experiences', bannerBody({ name: 'cut' }))) as {
      id: string;
    };
    await call(a, 'POST', `/api/experiences/${offer}/publish`);
    const shown = async () => (await shownBy(b, 'anon-cut')).map(([id]) => id);
    expect(await shown()).toContain(offer);

    await db.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [
      LISTENER_NAME,
    ]);
    await call(a, 'POST', `/api/experiences/${offer}/pause`);
    expect(await shown()).not.toContain(offer);

    await waitForListeners(2);
    await call(a, 'POST', `/api/experiences/${offer}/publish`);
    expect(await shown()).toContain(offer);
    await call(a, 'POST', `/api/experiences/${offer}/pause`);
    expect(await shown()).not.toContain(offer);
  });
});

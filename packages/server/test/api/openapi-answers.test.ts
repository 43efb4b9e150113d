import type { LightMyRequestResponse } from 'fastify';
import { afterEach, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import { basicAuth } from './api-client.js';
import { OpenApiAnswers } from './openapi-answers.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Real answers of a broad set of routes, successes and refusals, checked against the document the
 * app serves: every status documented, every JSON body valid against its documented schema.
 */
describeEachBackend('answers agree with /openapi.json', (backend) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it(`${backend}: tracking, upload, users, attributes, groups, experiences, decide, reports, webhooks, keys, imports, ingestion, projects, accounts`, async () => {
    server = await startTestServer({ backend, listen: false, config: { webhooksAllowPrivate: true } });
    const { app, apiKey, writeKey } = server;
    const answers = await OpenApiAnswers.of(app);
    const mismatches: string[] = [];
    const statuses: string[] = [];
    const call = async (
      method: Method,
      url: string,
      options: { payload?: unknown; headers?: Record<string, string>; key?: string | null } = {},
    ): Promise<LightMyRequestResponse> => {
      const headers: Record<string, string> = { ...options.headers };
      const key = options.key === undefined ? apiKey : options.key;
      if (key !== null && !headers.authorization) headers.authorization = `Bearer ${key}`;
      const response = await app.inject({
        method,
        url,
        headers,
        ...(options.payload === undefined ? {} : { payload: options.payload as object }),
      });
      statuses.push(`${method} ${url} ${response.statusCode}`);
      mismatches.push(...answers.check(method, url, response));
      return response;
    };
    const tracking = { authorization: basicAuth(writeKey) };

    // Tracking: accepted, with warnings and rejections, a bad body, a bad key.
    await call('POST', '/v1/identify', {
      headers: tracking,
      payload: { userId: 'user-42', anonymousId: 'anon-phone', traits: { plan: 'gold', age: 31 } },
    });
    await call('POST', '/v1/batch', {
      key: null,
      payload: {
        writeKey,
        batch: [
          { type: 'track', event: 'Bought', anonymousId: 'anon-laptop', userId: 'guest' },
          { type: 'page', anonymousId: 'anon-laptop', properties: { url: 'https://shop.test/' } },
          { type: 'identify', anonymousId: 'anon-laptop', userId: 'null' },
        ],
      },
    });
    await call('POST', '/v1/track', { headers: tracking, payload: '{not json', key: null });
    await call('POST', '/v1/track', { headers: { authorization: basicAuth('wk_unknown') }, payload: {} });
    await app.ingestion.settled();

    // Bulk upload: created, updated, a failed row; no key.
    await call('POST', '/v1/user/profiles', {
      payload: {
        field_name: ['user_id', 'membership_level'],
        values: [
          ['user-42', 'gold'],
          ['user-7', 'silver'],
          ['', 'x'],
        ],
      },
    });
    await call('POST', '/v1/user/profiles', { key: null, payload: { field_name: ['user_id'], values: [] } });

    // Users and persons.
    await call('GET', '/api/users?limit=10');
    const user = await call('GET', '/api/users/user-42');
    await call('GET', '/api/users/user-nobody');
    await call('GET', '/api/users/user-42/events?limit=5');
    await call('GET', '/api/users/user-42/attribute-changes');
    await call('GET', '/api/users/user-42/export');
    const personId = user.json().person_id ?? user.json().id;
    await call('GET', `/api/persons/${personId}`);
    await call('GET', `/api/persons/${personId}/events`);
    await call('GET', '/api/persons?limit=5');
    await call('GET', '/api/persons/999999999');
    await call('GET', '/api/events?limit=5');
    await call('GET', '/api/stats/identification');

    // Attributes (Data Settings).
    await call('GET', '/api/attributes');
    await call('PUT', '/api/attributes/age', { payload: { type: 'number' } });
    await call('PUT', '/api/attributes/age', { payload: { type: 'colour' } });
    await call('POST', '/api/attributes/age/type-preview', { payload: { type: 'string' } });

    // Groups.
    const group = await call('POST', '/api/groups', {
      payload: { name: 'Gold', condition: { attr: 'membership_level', op: 'eq', value: 'gold' } },
    });
    const groupId = group.json().id;
    const fixed = await call('POST', '/api/groups', {
      payload: { name: 'Pasted', user_ids: ['user-42', 'user-new'] },
    });
    await call('POST', '/api/groups', {
      payload: { name: 'Bad', condition: { attr: 'x', op: 'nope', value: 1 } },
    });
    await call('GET', '/api/groups');
    await call('GET', `/api/groups/${groupId}`);
    await call('GET', `/api/groups/${groupId}/members?limit=10`);
    await call('GET', `/api/groups/${groupId}/members.csv`);
    await call('POST', '/api/groups/preview', { payload: { condition: { identified: true } } });
    await call('PATCH', `/api/groups/${groupId}`, { payload: { name: 'Gold members' } });
    await call('POST', `/api/groups/${fixed.json().id}/members`, { payload: { user_ids: ['user-7'] } });
    await call('GET', '/api/group-templates');
    await call('GET', '/api/groups/grp_missing');

    // Experiences and decide.
    const experience = await call('POST', '/api/experiences', {
      payload: {
        name: 'Gold banner',
        type: 'banner',
        pages: { match: 'all' },
        target: { groups: [groupId] },
        variants: [{ name: 'hello', weight: 100, content: { html: '<p>Hello {{plan}}</p>' } }],
        goal: { event: 'Bought' },
      },
    });
    const experienceId = experience.json().id;
    await call('POST', '/api/experiences', { payload: { name: 'Bad', type: 'banner' } });
    await call('GET', '/api/experiences');
    await call('GET', `/api/experiences/${experienceId}`);
    await call('POST', `/api/experiences/${experienceId}/publish`);
    await call('POST', '/api/experiences/check-url', {
      payload: { pages: { rules: [{ op: 'contains', value: '/shop' }] }, url: 'https://shop.test/shop/1' },
    });
    await call('POST', `/api/experiences/${experienceId}/preview-link`, { payload: {} });
    await call('GET', `/api/experiences/${experienceId}/report?from=2026-01-01&to=2026-12-31`);
    await call('POST', '/v1/decide', {
      key: null,
      payload: { writeKey, anonymousId: 'anon-phone', userId: 'user-42', url: 'https://shop.test/' },
    });
    await call('POST', '/v1/decide', { key: null, payload: { writeKey, url: 'https://shop.test/' } });
    await call('POST', `/api/experiences/${experienceId}/pause`);

    // Reports.
    await call('POST', '/api/reports/breakdown', {
      payload: {
        metric: { type: 'visitors' },
        breakdown: { attr: 'membership_level' },
        from: '2026-01-01',
        to: '2027-01-01',
        interval: 'week',
      },
    });
    await call('POST', '/api/reports/breakdown', { payload: { metric: { type: 'nope' } } });
    await call('POST', '/api/reports/cross-device', {
      payload: { from: '2026-01-01', to: '2027-01-01', event: 'Bought' },
    });

    // Webhooks.
    const webhook = await call('POST', '/api/webhooks', {
      payload: {
        url: 'http://127.0.0.1:9/hook',
        events: ['user.merged', 'group.entered'],
        group_ids: [groupId],
      },
    });
    const webhookId = webhook.json().id;
    await call('POST', '/api/webhooks', { payload: { url: 'ftp://x', events: [] } });
    await call('GET', '/api/webhooks');
    await call('GET', `/api/webhooks/${webhookId}`);
    await call('PATCH', `/api/webhooks/${webhookId}`, { payload: { events: ['user.merged'] } });
    const delivery = await call('POST', `/api/webhooks/${webhookId}/test`);
    await call('GET', `/api/webhooks/${webhookId}/deliveries?limit=5`);
    await call('POST', `/api/webhooks/${webhookId}/deliveries/${delivery.json().delivery_id}/retry`);
    await call('POST', `/api/webhooks/${webhookId}/rotate-secret`);

    // Keys.
    const created = await call('POST', '/api/keys', { payload: { name: 'reader', scopes: ['query'] } });
    await call('GET', '/api/keys');
    await call('GET', '/api/keys', { key: created.json().key });
    await call('POST', '/api/keys', { payload: { name: 'bad', scopes: ['everything'] } });
    await call('DELETE', `/api/keys/${created.json().id}`);

    // Imports.
    const job = await call('POST', '/api/imports', {
      headers: { 'content-type': 'text/csv' },
      payload: 'user_id,membership_level\nuser-9,gold\n,broken\n',
    });
    const jobId = job.json().id;
    await call('GET', '/api/imports');
    await call('GET', `/api/imports/${jobId}`);
    await call('GET', `/api/imports/${jobId}/errors.csv`);
    await call('GET', `/api/imports/${jobId}/users`);
    await call('GET', '/api/imports/job_missing');

    // Ingestion, admin, project, accounts, operations.
    await call('GET', '/api/ingestion/status');
    await call('GET', '/api/ingestion/warnings');
    await call('GET', '/api/ingestion/failed');
    await call('GET', '/api/admin/audit-log');
    await call('POST', '/api/admin/merge', {
      payload: { into: { user_id: 'user-42' }, from: { user_id: 'user-7' } },
    });
    await call('GET', '/api/project');
    await call('PATCH', '/api/project', { payload: { timezone: 'Asia/Tokyo' } });
    await call('PATCH', '/api/project', { payload: { timezone: 'Mars/Base' } });
    await call('GET', '/api/projects');
    await call('GET', '/api/setup', { key: null });
    await call('GET', '/api/session', { key: null });
    await call('POST', '/api/session', {
      key: null,
      payload: { email: 'nobody@example.com', password: 'wrong-password-1' },
    });
    await call('GET', '/health', { key: null });
    await call('GET', '/ready', { key: null });
    await call('GET', '/metrics', { key: null });
    await call('DELETE', `/api/groups/${groupId}`);
    await call('DELETE', `/api/experiences/${experienceId}`);
    await call('DELETE', `/api/webhooks/${webhookId}`);
    await call('DELETE', '/api/users/user-7');

    expect(
      statuses.filter((s) => s.endsWith(' 500')),
      'no 500',
    ).toEqual([]);
    expect(mismatches).toEqual([]);
  }, 120_000);
});

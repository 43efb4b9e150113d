import { afterAll, beforeAll, expect, it } from 'vitest';
import { createProject } from '../../src/projects/create-project.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import { bannerBody, experienceClient } from './experience-fixtures.js';

describeEachBackend('experiences API', (backend) => {
  let server: TestServer;
  let client: ReturnType<typeof experienceClient>;

  beforeAll(async () => {
    server = await startTestServer({ backend, listen: false });
    client = experienceClient(server);
  });
  afterAll(() => server.close());

  it(`${backend}: an experience is created as a draft, read, changed, published, paused and deleted`, async () => {
    const created = await client.call(
      'POST',
      '/api/experiences',
      bannerBody({ priority: 5, frequency: 'once_per_session' }),
    );
    expect(created.statusCode).toBe(201);
    const experience = created.json();
    expect(experience).toMatchObject({
      status: 'draft',
      name: 'Gold offer',
      type: 'banner',
      priority: 5,
      control_weight: 0,
      frequency: 'once_per_session',
      target: { everyone: true },
      pages: { match: 'all' },
    });
    expect(experience.id).toMatch(/^exp_/);

    const read = await client.call('GET', `/api/experiences/${experience.id}`);
    expect(read.json()).toEqual(experience);

    const patched = await client.call('PATCH', `/api/experiences/${experience.id}`, {
      control_weight: 20,
      pages: { rules: [{ op: 'starts_with', value: '/shop', ignore_query: true }] },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ control_weight: 20, name: 'Gold offer', priority: 5 });

    expect((await client.call('POST', `/api/experiences/${experience.id}/publish`)).json()).toMatchObject({
      status: 'published',
      published_at: expect.any(String),
    });
    expect((await client.call('POST', `/api/experiences/${experience.id}/pause`)).json().status).toBe(
      'paused',
    );

    const list = await client.call('GET', '/api/experiences');
    expect(list.json()).toMatchObject({ total: 1, next_cursor: null });
    expect(list.json().experiences.map((e: { id: string }) => e.id)).toEqual([experience.id]);

    expect((await client.call('DELETE', `/api/experiences/${experience.id}`)).json()).toEqual({
      deleted: true,
    });
    expect((await client.call('GET', `/api/experiences/${experience.id}`)).statusCode).toBe(404);
    expect((await client.call('DELETE', `/api/experiences/${experience.id}`)).statusCode).toBe(404);
  });

  it(`${backend}: the list pages with an opaque cursor`, async () => {
    const ids: string[] = [];
    for (const name of ['one', 'two', 'three']) {
      ids.push((await client.call('POST', '/api/experiences', bannerBody({ name }))).json().id);
    }
    const first = (await client.call('GET', '/api/experiences?limit=2')).json();
    expect(first.experiences).toHaveLength(2);
    const second = (await client.call('GET', `/api/experiences?limit=2&cursor=${first.next_cursor}`)).json();
    const seen = [...first.experiences, ...second.experiences].map((e: { id: string }) => e.id);
    expect(new Set(seen)).toEqual(new Set(ids));
    expect(second.next_cursor).toBeNull();
    const tampered = await client.call('GET', `/api/experiences?cursor=${first.next_cursor.slice(0, -2)}xx`);
    expect(tampered.statusCode).toBe(400);
    expect(tampered.json().error.code).toBe('INVALID_CURSOR');
    for (const id of ids) await client.call('DELETE', `/api/experiences/${id}`);
  });

  it(`${backend}: page edits and redirects keep their content`, async () => {
    const edit = await client.call('POST', '/api/experiences', {
      name: 'Hero',
      type: 'page_edit',
      variants: [
        {
          name: 'warm',
          weight: 100,
          content: {
            edits: [
              { selector: '#hero h1', text: 'Welcome back' },
              { selector: '#hero', html: '<b>Gold</b>' },
              { selector: 'a.cta', attr: 'href', value: '/gold' },
            ],
          },
        },
      ],
    });
    expect(edit.statusCode).toBe(201);
    expect(edit.json().variants[0].content.edits).toHaveLength(3);
    const redirect = await client.call('POST', '/api/experiences', {
      name: 'To gold',
      type: 'redirect',
      variants: [{ name: 'go', weight: 100, content: { redirect_url: '/gold?from=home' } }],
    });
    expect(redirect.statusCode).toBe(201);
    for (const id of [edit.json().id, redirect.json().id])
      await client.call('DELETE', `/api/experiences/${id}`);
  });

  it(`${backend}: check-url tests page rules against a URL`, async () => {
    const check = async (pages: unknown, url: string) => {
      const response = await client.call('POST', '/api/experiences/check-url', { pages, url });
      expect(response.statusCode).toBe(200);
      return response.json().match as boolean;
    };
    const rule = (op: string, value: string, ignore_query?: boolean) => ({
      rules: [{ op, value, ignore_query }],
    });
    expect(await check({ match: 'all' }, 'https://shop.example/anything')).toBe(true);
    expect(await check(rule('equals', '/pricing'), 'https://shop.example/pricing')).toBe(true);
    expect(await check(rule('equals', '/pricing'), 'https://shop.example/pricing?plan=gold')).toBe(false);
    expect(await check(rule('equals', '/pricing', true), 'https://shop.example/pricing?plan=gold#x')).toBe(
      true,
    );
    expect(await check(rule('equals', 'https://shop.example/pricing'), 'https://shop.example/pricing')).toBe(
      true,
    );
    expect(await check(rule('equals', 'https://shop.example/pricing'), 'https://other.example/pricing')).toBe(
      false,
    );
    expect(await check(rule('contains', 'sale'), 'https://shop.example/summer-sale/shoes')).toBe(true);
    expect(await check(rule('starts_with', '/blog/'), 'https://shop.example/blog/post-1')).toBe(true);
    expect(await check(rule('starts_with', '/blog/'), 'https://shop.example/shop/blog/')).toBe(false);
    expect(await check(rule('regex', '^/product/[0-9]+$'), 'https://shop.example/product/42')).toBe(true);
    expect(await check(rule('regex', '^/product/[0-9]+$'), 'https://shop.example/product/42?ref=x')).toBe(
      false,
    );
    expect(
      await check(rule('regex', '^/product/[0-9]+$', true), 'https://shop.example/product/42?ref=x'),
    ).toBe(true);
  });

  it(`${backend}: allow_scripts is off by default and shown and changed by the project routes`, async () => {
    const project = await client.call('GET', '/api/project');
    expect(project.json().allow_scripts).toBe(false);
    const scripted = bannerBody({
      variants: [{ name: 'a', weight: 100, content: { html: '<script>go()</script>' } }],
    });
    expect((await client.call('POST', '/api/experiences', scripted)).json().error.code).toBe(
      'SCRIPTS_NOT_ALLOWED',
    );
    expect((await client.call('PATCH', '/api/project', { allow_scripts: true })).statusCode).toBe(200);
    expect((await client.call('GET', '/api/project')).json().allow_scripts).toBe(true);
    const allowed = await client.call('POST', '/api/experiences', scripted);
    expect(allowed.statusCode).toBe(201);
    await client.call('DELETE', `/api/experiences/${allowed.json().id}`);
    await client.call('PATCH', '/api/project', { allow_scripts: false });
  });

  it(`${backend}: another project's experience is a 404 for every route`, async () => {
    const mine = await client.publish(bannerBody());
    const other = await createProject(server.store, 'Other site');
    const as = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
      client.call(method, url, payload, other.api_key);
    expect((await as('GET', `/api/experiences/${mine}`)).statusCode).toBe(404);
    expect((await as('PATCH', `/api/experiences/${mine}`, { name: 'x' })).statusCode).toBe(404);
    expect((await as('POST', `/api/experiences/${mine}/pause`)).statusCode).toBe(404);
    expect(
      (await as('POST', `/api/experiences/${mine}/preview-link`, { url: 'https://x.example/' })).statusCode,
    ).toBe(404);
    expect((await as('DELETE', `/api/experiences/${mine}`)).statusCode).toBe(404);
    expect((await as('GET', '/api/experiences')).json().total).toBe(0);
    const decided = await client.decide(
      { anonymousId: 'anon-1', url: 'https://shop.example/' },
      other.write_key,
    );
    expect(decided.json()).toEqual({ experiences: [] });
    expect((await client.call('GET', `/api/experiences/${mine}`)).json().status).toBe('published');
    await client.call('DELETE', `/api/experiences/${mine}`);
  });
});

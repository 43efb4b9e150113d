import { afterAll, beforeAll, expect, it } from 'vitest';
import { createProject } from '../../src/projects/create-project.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import { bannerBody, experienceClient } from './experience-fixtures.js';

describeEachBackend('experiences: bad input', (backend) => {
  let server: TestServer;
  let client: ReturnType<typeof experienceClient>;

  beforeAll(async () => {
    server = await startTestServer({ backend, listen: false });
    client = experienceClient(server);
  });
  afterAll(() => server.close());

  const refused = async (body: unknown, code: string, pointer: string) => {
    const response = await client.call('POST', '/api/experiences', body);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error).toMatchObject({ code, pointer });
  };
  const variant = (content: unknown, extra: Record<string, unknown> = {}) => [
    { name: 'a', weight: 100, content, ...extra },
  ];

  it(`${backend}: a regex that could run away is refused where it stands`, async () => {
    await refused(
      bannerBody({ pages: { rules: [{ op: 'regex', value: '^(a+)+$' }] } }),
      'UNSAFE_REGEX',
      '/pages/rules/0/value',
    );
    await refused(
      bannerBody({ pages: { rules: [{ op: 'regex', value: '(x' }] } }),
      'UNSAFE_REGEX',
      '/pages/rules/0/value',
    );
    await refused(
      bannerBody({ pages: { rules: [{ op: 'regex', value: '(\\w)\\1' }] } }),
      'UNSAFE_REGEX',
      '/pages/rules/0/value',
    );
    await refused(
      bannerBody({ goal: { url_rule: { op: 'regex', value: '(.*a){12}' } } }),
      'UNSAFE_REGEX',
      '/goal/url_rule/value',
    );
    const check = await client.call('POST', '/api/experiences/check-url', {
      pages: {
        rules: [
          { op: 'equals', value: '/' },
          { op: 'regex', value: '([a-z]*)*$' },
        ],
      },
      url: 'https://x.example/',
    });
    expect(check.json().error).toMatchObject({ code: 'UNSAFE_REGEX', pointer: '/pages/rules/1/value' });
  });

  it(`${backend}: a selector that is not CSS is refused`, async () => {
    const edits = (selector: string) => ({
      name: 'Hero',
      type: 'page_edit',
      variants: variant({
        edits: [
          { selector: '#ok', text: 'x' },
          { selector, text: 'Welcome' },
        ],
      }),
    });
    await refused(edits('div['), 'INVALID_SELECTOR', '/variants/0/content/edits/1/selector');
    await refused(edits('a >> b'), 'INVALID_SELECTOR', '/variants/0/content/edits/1/selector');
    await refused(edits('##hero'), 'INVALID_SELECTOR', '/variants/0/content/edits/1/selector');
  });

  it(`${backend}: weights that do not add up are refused`, async () => {
    const twoVariants = (a: unknown, b: unknown, control?: number) =>
      bannerBody({
        control_weight: control,
        variants: [
          { name: 'a', weight: a, content: { html: 'A' } },
          { name: 'b', weight: b, content: { html: 'B' } },
        ],
      });
    await refused(twoVariants(60, 60), 'WEIGHTS_DO_NOT_ADD_UP', '/variants');
    await refused(twoVariants(0, 0, 50), 'WEIGHTS_DO_NOT_ADD_UP', '/variants');
    await refused(twoVariants(-10, 110), 'WEIGHTS_DO_NOT_ADD_UP', '/variants/0/weight');
    await refused(twoVariants(50, 50, 150), 'WEIGHTS_DO_NOT_ADD_UP', '/control_weight');
    expect((await client.call('POST', '/api/experiences', twoVariants(30, 70, 10))).statusCode).toBe(201);
  });

  it(`${backend}: script in experience HTML is refused while the project forbids scripts`, async () => {
    for (const html of [
      '<script>alert(1)</script>',
      '<SCRIPT src="//evil.example/x.js"></SCRIPT>',
      '<img src=x onerror=alert(1)>',
      '<a href="javascript:alert(1)">x</a>',
      '<svg/onload=alert(1)>',
      '<iframe srcdoc="x"></iframe>',
    ]) {
      await refused(
        bannerBody({ variants: variant({ html }) }),
        'SCRIPTS_NOT_ALLOWED',
        '/variants/0/content/html',
      );
    }
    await refused(
      {
        name: 'x',
        type: 'page_edit',
        variants: variant({ edits: [{ selector: 'a', attr: 'onclick', value: 'go()' }] }),
      },
      'SCRIPTS_NOT_ALLOWED',
      '/variants/0/content/edits/0/value',
    );
    await refused(
      {
        name: 'x',
        type: 'page_edit',
        variants: variant({ edits: [{ selector: 'a', attr: 'href', value: ' javascript:go()' }] }),
      },
      'SCRIPTS_NOT_ALLOWED',
      '/variants/0/content/edits/0/value',
    );
  });

  it(`${backend}: shapes, names and types are checked with a pointer`, async () => {
    await refused(bannerBody({ type: 'modal' }), 'INVALID_BODY', '/type');
    await refused({ type: 'banner', variants: variant({ html: 'x' }) }, 'INVALID_BODY', '/name');
    await refused(bannerBody({ variants: [] }), 'INVALID_EXPERIENCE', '/variants');
    await refused(
      bannerBody({ variants: variant({ html: 'x' }, { name: 'control' }) }),
      'INVALID_EXPERIENCE',
      '/variants/0/name',
    );
    await refused(
      bannerBody({
        variants: [
          { name: 'a', weight: 50, content: { html: 'A' } },
          { name: 'a', weight: 50, content: { html: 'B' } },
        ],
      }),
      'INVALID_EXPERIENCE',
      '/variants/1/name',
    );
    await refused(
      bannerBody({ variants: variant({ redirect_url: '/x' }) }),
      'INVALID_EXPERIENCE',
      '/variants/0/content/html',
    );
    await refused(
      { name: 'r', type: 'redirect', variants: variant({ redirect_url: 'javascript:alert(1)' }) },
      'INVALID_EXPERIENCE',
      '/variants/0/content/redirect_url',
    );
    await refused(bannerBody({ target: { everyone: false } }), 'INVALID_EXPERIENCE', '/target/everyone');
    await refused(bannerBody({ starts_at: 'soon' }), 'INVALID_EXPERIENCE', '/starts_at');
    await refused(
      bannerBody({ starts_at: '2026-12-01T00:00:00Z', ends_at: '2026-11-01T00:00:00Z' }),
      'INVALID_EXPERIENCE',
      '/ends_at',
    );
    await refused(
      bannerBody({ pages: { rules: [{ op: 'like', value: '/' }] } }),
      'INVALID_BODY',
      '/pages/rules/0/op',
    );
    await refused(bannerBody({ goal: { page: '/thanks' } }), 'INVALID_EXPERIENCE', '/goal');
    const stored = (await client.call('POST', '/api/experiences', bannerBody())).json();
    const patch = await client.call('PATCH', `/api/experiences/${stored.id}`, {
      variants: variant({ html: '<script>x</script>' }),
    });
    expect(patch.json().error).toMatchObject({
      code: 'SCRIPTS_NOT_ALLOWED',
      pointer: '/variants/0/content/html',
    });
    expect((await client.call('GET', `/api/experiences/${stored.id}`)).json().variants).toEqual(
      stored.variants,
    );
  });

  it(`${backend}: decide without anonymousId or url is a 400, a wrong write key a 401, never a 500`, async () => {
    const missingAnonymousId = await client.decide({ url: 'https://shop.example/' });
    expect(missingAnonymousId.statusCode).toBe(400);
    expect(missingAnonymousId.json().error).toMatchObject({ code: 'INVALID_BODY', pointer: '/anonymousId' });
    const missingUrl = await client.decide({ anonymousId: 'anon-1' });
    expect(missingUrl.json().error).toMatchObject({ code: 'INVALID_BODY', pointer: '/url' });
    expect((await client.decide({ anonymousId: 'anon-1', url: 'not a url' })).statusCode).toBe(400);
    expect((await client.decide({ anonymousId: 'null', url: 'https://shop.example/' })).statusCode).toBe(400);
    const wrongKey = await client.decide({ anonymousId: 'anon-1', url: 'https://shop.example/' }, 'wk_wrong');
    expect(wrongKey.statusCode).toBe(401);
    expect(wrongKey.json().error.code).toBe('UNKNOWN_WRITE_KEY');
    const noKey = await server.app.inject({
      method: 'POST',
      url: '/v1/decide',
      payload: { anonymousId: 'a', url: 'https://x.example/' },
    });
    expect(noKey.statusCode).toBe(401);
    for (const payload of ['[1,2]', '"text"', '{"anonymousId": {"x": 1}, "url": []}', 'not json']) {
      const odd = await server.app.inject({
        method: 'POST',
        url: '/v1/decide',
        headers: {
          'content-type': 'text/plain',
          authorization: `Basic ${Buffer.from(`${server.writeKey}:`).toString('base64')}`,
        },
        payload,
      });
      expect(odd.statusCode, payload).toBe(400);
    }
  });

  it(`${backend}: a flood of decides from one project is rate limited; another project and tracking are served`, async () => {
    const limited = await startTestServer({
      backend,
      listen: false,
      config: { decideRateLimitPerSecond: 5 },
    });
    try {
      const other = await createProject(limited.store, 'Other site');
      const flood = experienceClient(limited);
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) {
        statuses.push(
          (await flood.decide({ anonymousId: `anon-${i}`, url: 'https://shop.example/' })).statusCode,
        );
      }
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(15);
      const limitedAnswer = await flood.decide({ anonymousId: 'anon-x', url: 'https://shop.example/' });
      expect(limitedAnswer.json().error.code).toBe('RATE_LIMITED');
      expect(Number(limitedAnswer.headers['retry-after'])).toBeGreaterThan(0);
      const otherAnswer = await flood.decide(
        { anonymousId: 'anon-1', url: 'https://shop.example/' },
        other.write_key,
      );
      expect(otherAnswer.statusCode).toBe(200);
      const tracking = await limited.app.inject({
        method: 'POST',
        url: '/v1/page',
        payload: { writeKey: limited.writeKey, anonymousId: 'anon-1' },
      });
      expect(tracking.statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

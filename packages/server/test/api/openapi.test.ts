import { afterAll, beforeAll, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors/error-codes.js';
import { WARNING_CODES } from '../../src/ingestion/message-issues.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

interface Operation {
  summary?: string;
  parameters?: { name: string; in: string }[];
  responses?: Record<string, unknown>;
}
type OpenApiDocument = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components?: Record<string, Record<string, unknown>>;
};

/**
 * Routes kept out of the document on purpose (`schema.hide`), with why. A hidden route not listed
 * here fails the test, so hiding is a decision, never a way to skip documenting.
 */
const HIDDEN: Record<string, string> = {
  'GET /openapi.json': 'the document itself',
  'GET /': 'the dashboard page',
  'GET /*': 'the dashboard single-page app, for every other path',
  'GET /sdk.js': 'the browser SDK script',
  'GET /sdk/:version/acquaint.js': 'the browser SDK script, versioned',
  'POST /v1/import': "Segment's bulk import path, an undocumented twin of /v1/batch",
};

/** The app's own route table, from Fastify's onRoute: method, URL (`:param`) and whether hidden. */
const routes: { method: string; url: string; hidden: boolean }[] = [];

let server: TestServer;
let doc: OpenApiDocument;
beforeAll(async () => {
  server = await startTestServer({
    listen: false,
    onRoute: (route) => {
      for (const method of [route.method].flat())
        if (method !== 'HEAD' && method !== 'OPTIONS')
          routes.push({ method, url: route.url, hidden: route.schema?.hide === true });
    },
  });
  const response = await server.app.inject({ method: 'GET', url: '/openapi.json' });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/application\/json/);
  doc = response.json();
});
afterAll(() => server.close());

/** A Fastify URL as OpenAPI writes it: `/api/users/:userId` → `/api/users/{userId}`. */
const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

it('GET /openapi.json is an OpenAPI 3 document', () => {
  expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
  expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
  expect(routes.length).toBeGreaterThan(80);
});

it("every route of the app's route table is documented with its method, summary and responses", () => {
  const missing: string[] = [];
  for (const route of routes) {
    const name = `${route.method} ${route.url}`;
    if (route.hidden) {
      expect(HIDDEN[name], `${name} is hidden from the document: say why in HIDDEN`).toBeDefined();
      continue;
    }
    const operation = doc.paths[openApiPath(route.url)]?.[route.method.toLowerCase()];
    if (!operation) {
      missing.push(name);
      continue;
    }
    expect(operation.summary, `${name} summary`).toBeTruthy();
    expect(Object.keys(operation.responses ?? {}).length, `${name} responses`).toBeGreaterThan(0);
  }
  expect(missing, 'routes missing from /openapi.json').toEqual([]);
  for (const name of Object.keys(HIDDEN))
    expect(
      routes.some((r) => r.hidden && `${r.method} ${r.url}` === name),
      `${name} is listed in HIDDEN but is no hidden route`,
    ).toBe(true);
});

it('the document names no route the app does not serve', () => {
  const served = new Set(routes.map((r) => `${r.method.toLowerCase()} ${openApiPath(r.url)}`));
  const extra = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .map((method) => `${method} ${path}`)
      .filter((operation) => !served.has(operation)),
  );
  expect(extra).toEqual([]);
  // The routes the first version of this test forgot are in it now.
  for (const path of ['/api/imports', '/api/keys', '/api/ingestion/status', '/v1/user/profiles'])
    expect(Object.keys(doc.paths)).toContain(path);
});

it('every operation documents what it answers on success', () => {
  const undocumented = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([, operation]) => !Object.keys(operation.responses ?? {}).some((code) => /^[23]/.test(code)))
      .map(([method]) => `${method} ${path}`),
  );
  expect(undocumented).toEqual([]);
});

it('every path parameter is declared and every $ref resolves inside the document', () => {
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      for (const name of path.match(/\{(\w+)\}/g) ?? []) {
        const declared = operation.parameters?.some((p) => p.in === 'path' && `{${p.name}}` === name);
        expect(declared, `${method} ${path} declares ${name}`).toBe(true);
      }
    }
  }
  const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
  for (const ref of refs) {
    const target = ref.slice('"$ref":"'.length, -1);
    expect(target, ref).toMatch(/^#\//);
    const resolved = target
      .slice(2)
      .split('/')
      .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
    expect(resolved, ref).toBeDefined();
  }
});

it('documents every error code and every warning code', () => {
  const text = JSON.stringify(doc);
  for (const code of [...Object.keys(ERROR_CODES), ...Object.keys(WARNING_CODES)]) {
    expect(text, code).toContain(`\`${code}\``);
  }
});

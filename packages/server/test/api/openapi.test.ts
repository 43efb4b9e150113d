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

/** Every route of the tracking and server API (issue 2), as OpenAPI writes paths. */
const ROUTES: [string, string][] = [
  ['post', '/v1/identify'],
  ['post', '/v1/track'],
  ['post', '/v1/page'],
  ['post', '/v1/screen'],
  ['post', '/v1/group'],
  ['post', '/v1/alias'],
  ['post', '/v1/batch'],
  ['get', '/api/users'],
  ['get', '/api/users/{userId}'],
  ['delete', '/api/users/{userId}'],
  ['get', '/api/users/{userId}/events'],
  ['get', '/api/users/{userId}/export'],
  ['get', '/api/persons/{personId}'],
  ['get', '/api/attributes'],
  ['put', '/api/attributes/{name}'],
  ['get', '/api/stats/identification'],
  ['post', '/api/admin/merge'],
  ['post', '/api/admin/split'],
  ['get', '/api/admin/audit-log'],
  ['get', '/api/project'],
  ['patch', '/api/project'],
];

let server: TestServer;
let doc: OpenApiDocument;
beforeAll(async () => {
  server = await startTestServer({ listen: false });
  const response = await server.app.inject({ method: 'GET', url: '/openapi.json' });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/application\/json/);
  doc = response.json();
});
afterAll(() => server.close());

it('GET /openapi.json is an OpenAPI 3 document with a path for every route', () => {
  expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
  expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
  for (const [method, path] of ROUTES) {
    const operation = doc.paths[path]?.[method];
    expect(operation, `${method.toUpperCase()} ${path}`).toBeDefined();
    expect(operation?.summary, `${method.toUpperCase()} ${path} summary`).toBeTruthy();
    expect(Object.keys(operation?.responses ?? {}).length, `${method} ${path} responses`).toBeGreaterThan(0);
  }
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

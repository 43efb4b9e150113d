import type { SwaggerOptions } from '@fastify/swagger';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { ERROR_CODES } from '../errors/error-codes.js';
import { WARNING_CODES } from '../ingestion/message-issues.js';
import { securitySchemes } from './authenticate.js';

const codeTable = (codes: Record<string, string>) =>
  Object.entries(codes)
    .map(([code, text]) => `| \`${code}\` | ${text} |`)
    .join('\n');

const description = `Acquaint's server API: the Segment-compatible tracking API (write key) and the server API (secret API key as \`Authorization: Bearer <key>\`).

Every error answer is \`{"error": {"code", "message", "pointer"?}}\`; \`pointer\` is the JSON pointer of the bad part of the body.

## Error codes
| code | meaning |
|---|---|
${codeTable(Object.fromEntries(Object.entries(ERROR_CODES).map(([code, v]) => [code, `${v.status}: ${v.description}`])))}

## Warning codes (tracking API \`warnings\`)
| code | meaning |
|---|---|
${codeTable(WARNING_CODES)}
`;

export const openApiOptions: SwaggerOptions = {
  openapi: {
    info: { title: 'Acquaint API', version: '0.1.0', description },
    components: {
      securitySchemes: {
        writeKey: {
          type: 'http',
          scheme: 'basic',
          description: 'The write key as user name, empty password.',
        },
        apiKey: { type: 'http', scheme: 'bearer', description: 'A secret API key.' },
      },
    },
    tags: [
      { name: 'tracking', description: 'Segment-compatible ingestion (write key).' },
      { name: 'users', description: 'Profiles, timelines, erasure and export (API key, scope query/admin).' },
      { name: 'attributes', description: 'Data Settings: attribute definitions.' },
      { name: 'stats', description: 'Identification statistics.' },
      { name: 'admin', description: 'Identity repair (API key, scope admin); audit-logged.' },
      { name: 'project', description: 'Project settings and keys.' },
      {
        name: 'imports',
        description: 'Bulk attribute upload and CSV import jobs (API key, scope upload).',
      },
      {
        name: 'accounts',
        description:
          "Dashboard accounts: first-run setup, sign-in (HttpOnly cookie session), invitations. A session stands in for an API key on every /api route: name the project in `X-Acquaint-Project` and echo the session's CSRF token in `X-CSRF-Token` on changes.",
      },
      { name: 'events', description: "Recent events of the project (the install page's live view)." },
      { name: 'keys', description: 'Secret API keys: create, list, revoke (API key, scope admin).' },
      {
        name: 'experiences',
        description: 'Personalised experiences: create, publish, pause, report (API key, scope query/admin).',
      },
      { name: 'personalisation', description: '`/v1/decide`: what a visitor sees (write key).' },
      {
        name: 'operations',
        description: 'Liveness, readiness and Prometheus metrics for operators (no project key).',
      },
      {
        name: 'reports',
        description:
          'Behaviour reports: breakdowns by attribute, group or device type, and cross-device paths (API key, scope query).',
      },
      {
        name: 'webhooks',
        description:
          'Destinations: signed webhooks on identity, attribute and group changes (API key, scope admin).',
      },
      {
        name: 'groups',
        description:
          'User groups, dynamic (a condition) or static (user ids): API key, scope query to read, admin to change.',
      },
    ],
  },
  transform: documentScope,
  refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
};

/**
 * A route names the scope its API key needs in its security requirement (`[{ apiKey: ['admin'] }]`,
 * checked by `authenticate.ts` before the body is read). OpenAPI 3.0 wants that list empty for a
 * bearer scheme, so the document says the scope in the operation's description instead.
 */
function documentScope({ schema, url }: { schema: FastifySchema; url: string }) {
  const scopes = securitySchemes(schema?.security).get('apiKey');
  if (!scopes || scopes.length === 0) return { schema, url };
  const needs = `Needs an API key with the \`${scopes.join('`, `')}\` scope (or a dashboard role that has it).`;
  const text = (schema as { description?: string }).description;
  return {
    url,
    schema: { ...schema, security: [{ apiKey: [] }], description: text ? `${text}\n\n${needs}` : needs },
  };
}

/** Schemas referenced by many routes (`{$ref: 'Error#'}`). */
export function registerSharedSchemas(app: FastifyInstance): void {
  app.addSchema({
    $id: 'Error',
    type: 'object',
    description: 'An error answer.',
    properties: {
      error: {
        type: 'object',
        properties: {
          code: { type: 'string', enum: Object.keys(ERROR_CODES) },
          message: { type: 'string' },
          pointer: {
            type: 'string',
            description: 'JSON pointer of the bad part of the request body, such as `/condition/all/1/op`.',
          },
        },
      },
    },
  });
  app.addSchema({
    $id: 'MessageIssue',
    type: 'object',
    properties: {
      index: { type: 'integer' },
      messageId: { type: ['string', 'null'] },
      code: { type: 'string', enum: [...Object.keys(ERROR_CODES), ...Object.keys(WARNING_CODES)] },
      message: { type: 'string' },
    },
  });
}

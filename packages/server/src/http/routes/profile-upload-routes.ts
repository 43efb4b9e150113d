import type { FastifyInstance } from 'fastify';
import { RequestError } from '../../errors/error-codes.js';
import { type ProfileUploadBody, uploadProfiles } from '../../imports/upload-profiles.js';
import type { AppContext } from '../app-context.js';
import { errorResponses } from './route-schemas.js';

const issue = {
  type: 'object',
  properties: {
    row: { type: 'integer', description: 'Index of the row in `values`, from 0.' },
    user_id: { type: ['string', 'null'] },
    field: { type: ['string', 'null'] },
    code: { type: 'string' },
    message: { type: 'string' },
  },
} as const;

/** Bulk attribute upload from the owner's back end (DESIGN §4), with a secret key of scope `upload`. */
export async function profileUploadRoutes(
  app: FastifyInstance,
  { context }: { context: AppContext },
): Promise<void> {
  const { config } = context;
  app.post(
    '/v1/user/profiles',
    {
      bodyLimit: config.maxProfileUploadBytes,
      schema: {
        tags: ['imports'],
        summary: 'Upsert users and their attributes in bulk',
        description: `\`{"field_name": ["user_id", "a1", ...], "values": [["u1", "v1", ...], ...]}\`. Each row is an upsert on \`user_id\`: \`""\` leaves a value unchanged, \`null\` unsets it, strings are read through the attribute's type. Valid rows are written in one transaction even when others fail; each refused row is reported. Limits: ${config.maxProfilesPerRequest} users and ${config.maxProfileFields} fields a request, names up to 128 characters, values up to 4,096.`,
        security: [{ apiKey: ['upload'] }],
        body: {
          type: 'object',
          required: ['field_name', 'values'],
          properties: {
            field_name: { type: 'array', items: { type: 'string' }, minItems: 1 },
            values: { type: 'array' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              job_id: { type: 'string' },
              received: { type: 'integer' },
              created: { type: 'integer' },
              updated: { type: 'integer' },
              unchanged: { type: 'integer' },
              failed: { type: 'integer' },
              duplicates: { type: 'integer' },
              errors: { type: 'array', items: issue },
              warnings: { type: 'array', items: issue },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { project, key } = await context.auth.apiKey(request, 'upload');
      const outcome = await uploadProfiles(
        context.store,
        { projectId: project.id, apiKeyId: key.id },
        request.body as ProfileUploadBody,
        { maxProfiles: config.maxProfilesPerRequest, maxFields: config.maxProfileFields },
      );
      if (!outcome.ok) throw new RequestError(outcome.code, outcome.message);
      context.metrics.countImportRows('upload', outcome.result);
      return outcome.result;
    },
  );
}

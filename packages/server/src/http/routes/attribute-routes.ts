import type { FastifyInstance, FastifyRequest } from 'fastify';
import { declareType, listAttributes, previewType } from '../../attributes/attribute-catalog.js';
import { attributeNameProblem } from '../../attributes/attribute-operation.js';
import { ATTRIBUTE_TYPES, type AttributeType } from '../../attributes/attribute-types.js';
import { RequestError } from '../../errors/error-codes.js';
import type { AppContext } from '../app-context.js';
import { attributeListAnswer, attributeTypeAnswer, documentedAsSent } from './answer-schemas.js';
import { errorResponses } from './route-schemas.js';

const nameParams = { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } as const;
const typeBody = {
  type: 'object',
  required: ['type'],
  additionalProperties: false,
  properties: { type: { type: 'string', enum: [...ATTRIBUTE_TYPES] } },
} as const;

function nameAndType(request: FastifyRequest): { name: string; type: AttributeType } {
  const { name } = request.params as { name: string };
  const problem = attributeNameProblem(name);
  if (problem) throw new RequestError('INVALID_BODY', problem);
  return { name, type: (request.body as { type: AttributeType }).type };
}

/** Data Settings: the attributes of the project and their types (secret API key). */
export async function attributeRoutes(
  app: FastifyInstance,
  { context }: { context: AppContext },
): Promise<void> {
  app.get(
    '/api/attributes',
    {
      ...documentedAsSent,
      schema: {
        tags: ['attributes'],
        security: [{ apiKey: ['query'] }],
        summary: 'Attribute definitions with how many persons hold each',
        response: { 200: attributeListAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'query');
      return { attributes: await listAttributes(context.store.db, project.id) };
    },
  );

  app.put(
    '/api/attributes/:name',
    {
      ...documentedAsSent,
      schema: {
        tags: ['attributes'],
        security: [{ apiKey: ['admin'] }],
        summary: 'Declare or change the type of an attribute',
        description:
          'Stored values are kept and read through the new type; the answer counts those that do not fit.',
        params: nameParams,
        body: typeBody,
        response: { 200: attributeTypeAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'admin');
      const { name, type } = nameAndType(request);
      const declared = await declareType(context.store, project.id, name, type);
      context.definitions.invalidate(project.id);
      return declared;
    },
  );

  app.post(
    '/api/attributes/:name/type-preview',
    {
      config: { readOnly: true },
      ...documentedAsSent,
      schema: {
        tags: ['attributes'],
        security: [{ apiKey: ['query'] }],
        summary: 'What changing the type would do, without changing it',
        description: 'Counts the stored values that would not read as the new type, with up to 10 examples.',
        params: nameParams,
        body: typeBody,
        response: { 200: attributeTypeAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'query');
      const { name, type } = nameAndType(request);
      return previewType(context.store.db, project.id, name, type);
    },
  );
}

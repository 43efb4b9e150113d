import type { FastifyInstance } from 'fastify';
import { declareType, listAttributes } from '../../attributes/attribute-catalog.js';
import { attributeNameProblem } from '../../attributes/attribute-operation.js';
import { ATTRIBUTE_TYPES, type AttributeType } from '../../attributes/attribute-types.js';
import { RequestError } from '../../errors/error-codes.js';
import type { AppContext } from '../app-context.js';

/** Data Settings: the attributes of the project and their types (secret API key). */
export async function attributeRoutes(
  app: FastifyInstance,
  { context }: { context: AppContext },
): Promise<void> {
  app.get(
    '/api/attributes',
    {
      schema: {
        tags: ['attributes'],
        security: [{ apiKey: [] }],
        summary: 'Attribute definitions with how many persons hold each',
        response: { '4xx': { $ref: 'Error#' } },
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
      schema: {
        tags: ['attributes'],
        security: [{ apiKey: [] }],
        summary: 'Declare or change the type of an attribute',
        description:
          'Stored values are kept and read through the new type; the answer counts those that do not fit.',
        params: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
        body: {
          type: 'object',
          required: ['type'],
          additionalProperties: false,
          properties: { type: { type: 'string', enum: [...ATTRIBUTE_TYPES] } },
        },
        response: { '4xx': { $ref: 'Error#' } },
      },
    },
    async (request) => {
      const { project } = await context.auth.apiKey(request, 'admin');
      const { name } = request.params as { name: string };
      const problem = attributeNameProblem(name);
      if (problem) throw new RequestError('INVALID_BODY', problem);
      const { type } = request.body as { type: AttributeType };
      return declareType(context.store, project.id, name, type);
    },
  );
}

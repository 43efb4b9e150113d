import type { FastifyInstance } from 'fastify';
import { newIdentitySecret, newWriteKey } from '../../projects/keys.js';
import { appendAuditLog, replaceProjectKey } from '../../storage/project-repository.js';
import type { AppContext } from '../app-context.js';
import { documentedAsSent, rotatedKeyAnswer } from './answer-schemas.js';
import { errorResponses } from './route-schemas.js';

/**
 * Rotation of the project's write key and identity secret (scope `admin`; audit-logged). The new
 * value is answered once here (and read again by `GET /api/project`); the old one stops working at
 * once on this process and within the write-key cache's 5 s on others. No grace period.
 */
export async function keyRotationRoutes(
  app: FastifyInstance,
  { context }: { context: AppContext },
): Promise<void> {
  const rotation = (
    path: string,
    summary: string,
    field: 'write_key' | 'identity_secret',
    newValue: () => string,
  ) =>
    app.post(
      path,
      {
        ...documentedAsSent,
        schema: {
          tags: ['project'],
          summary,
          security: [{ apiKey: ['admin'] }],
          response: { 200: rotatedKeyAnswer, ...errorResponses },
        },
      },
      async (request) => {
        const { project, key } = await context.auth.apiKey(request, 'admin');
        const value = newValue();
        await context.store.transaction(async (tx) => {
          await replaceProjectKey(
            tx.db,
            project.id,
            field === 'write_key' ? { write_key: value } : { identity_secret: value },
          );
          await appendAuditLog(tx.db, {
            projectId: project.id,
            at: Date.now(),
            actor: `api_key:${key.id}`,
            action: `rotate_${field}`,
            details: {},
          });
        });
        context.auth.forgetWriteKeys();
        return { project_id: project.id, [field]: value };
      },
    );

  rotation(
    '/api/project/write-key/rotate',
    'Replace the write key: the old one is refused from now on (update the SDK snippet and server libraries)',
    'write_key',
    newWriteKey,
  );
  rotation(
    '/api/project/identity-secret/rotate',
    'Replace the identity secret: userHash values made with the old one are refused from now on',
    'identity_secret',
    newIdentitySecret,
  );
}

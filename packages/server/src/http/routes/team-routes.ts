import type { FastifyInstance, FastifyRequest } from 'fastify';
import { startSession } from '../../accounts/account-sessions.js';
import { normalizeEmail } from '../../accounts/create-account.js';
import { acceptInvitation, inviteAccount } from '../../accounts/invitations.js';
import { RequestError } from '../../errors/error-codes.js';
import {
  deleteInvitation,
  deleteNonOwnerAccount,
  listAccounts,
  listOpenInvitations,
} from '../../storage/account-repository.js';
import type { AppContext } from '../app-context.js';
import { accountSchema, accountView, refuse, sendSession } from './account-routes.js';
import { deletedIdAnswer, documentedAsSent } from './answer-schemas.js';
import { errorResponses } from './route-schemas.js';

const iso = (ms: number) => new Date(Number(ms)).toISOString();
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } as const;

/** Accounts and invitations (links to copy; no mail server is assumed). Owner and admin only. */
export async function teamRoutes(app: FastifyInstance, { context }: { context: AppContext }): Promise<void> {
  const { store } = context;
  const manager = async (request: FastifyRequest) => {
    const { account } = await context.auth.sessions.account(request);
    if (account.role === 'viewer') {
      throw new RequestError('ROLE_FORBIDDEN', 'your role (viewer) may not manage accounts');
    }
    return account;
  };

  app.get(
    '/api/accounts',
    {
      schema: {
        tags: ['accounts'],
        summary: 'The accounts of this install (session of an owner or admin)',
        response: {
          200: { type: 'object', properties: { accounts: { type: 'array', items: accountSchema } } },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      await manager(request);
      return { accounts: (await listAccounts(store.db)).map(accountView) };
    },
  );

  app.delete(
    '/api/accounts/:id',
    {
      ...documentedAsSent,
      schema: {
        tags: ['accounts'],
        summary: 'Remove an account (not the owner); its sessions end at once',
        params: idParams,
        response: { 200: deletedIdAnswer, ...errorResponses },
      },
    },
    async (request) => {
      await manager(request);
      const { id } = request.params as { id: string };
      if (!(await deleteNonOwnerAccount(store.db, id))) {
        throw new RequestError('ACCOUNT_NOT_FOUND', `no removable account "${id}"`);
      }
      return { deleted: true, id };
    },
  );

  const invitationSchema = {
    type: 'object',
    properties: {
      id: { type: 'string' },
      role: { type: 'string' },
      email: { type: ['string', 'null'] },
      expires_at: { type: 'string', format: 'date-time' },
      token: {
        type: 'string',
        description: 'Only in the answer that creates it: the link is /invite?token=…',
      },
    },
  } as const;

  app.get(
    '/api/invitations',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Open invitations',
        response: {
          200: { type: 'object', properties: { invitations: { type: 'array', items: invitationSchema } } },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      await manager(request);
      const open = await listOpenInvitations(store.db, Date.now());
      return {
        invitations: open.map((i) => ({
          id: i.id,
          role: i.role,
          email: i.email,
          expires_at: iso(i.expires_at),
        })),
      };
    },
  );

  app.post(
    '/api/invitations',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Invite someone: answers a token for the link /invite?token=… (shown once)',
        body: {
          type: 'object',
          required: ['role'],
          additionalProperties: false,
          properties: {
            role: { type: 'string', enum: ['admin', 'viewer'] },
            email: { type: 'string', maxLength: 254 },
          },
        },
        response: { 201: invitationSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const account = await manager(request);
      const body = request.body as { role: 'admin' | 'viewer'; email?: string };
      const email = body.email ? normalizeEmail(body.email) : null;
      if (body.email && !email) {
        throw new RequestError(
          'INVALID_EMAIL',
          'enter an e-mail address such as ada@example.com',
          {},
          '/email',
        );
      }
      const invitation = await inviteAccount(store, { role: body.role, email, createdBy: account.id });
      return reply.code(201).send({ ...invitation, expires_at: iso(invitation.expires_at) });
    },
  );

  app.delete(
    '/api/invitations/:id',
    {
      ...documentedAsSent,
      schema: {
        tags: ['accounts'],
        summary: 'Withdraw an open invitation',
        params: idParams,
        response: { 200: deletedIdAnswer, ...errorResponses },
      },
    },
    async (request) => {
      await manager(request);
      const { id } = request.params as { id: string };
      if (!(await deleteInvitation(store.db, id))) {
        throw new RequestError('INVALID_INVITATION', `no open invitation "${id}"`);
      }
      return { deleted: true, id };
    },
  );

  app.post(
    '/api/invitations/accept',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Create an account from an invitation link; signs it in',
        body: {
          type: 'object',
          required: ['token', 'email', 'password'],
          additionalProperties: false,
          properties: {
            token: { type: 'string', maxLength: 200 },
            email: { type: 'string', maxLength: 254 },
            password: { type: 'string', maxLength: 1024 },
          },
        },
        response: {
          201: { type: 'object', properties: { account: accountSchema, csrf_token: { type: 'string' } } },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const created = await acceptInvitation(
        store,
        request.body as { token: string; email: string; password: string },
      );
      if (!created.ok) refuse(created);
      return sendSession(request, reply, await startSession(store.db, created.account), 201);
    },
  );
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AccountService } from '../../../domain/account-service.ts';
import { toPublicUser } from '../../../domain/user.ts';
import { type CookieNames, clearSessionCookies } from '../../cookies.ts';
import { claimsOf } from '../../plugins/authenticate.ts';
import {
  DeleteAccountBody,
  errorResponses,
  NoContent,
  PasswordChangeBody,
  ProfilePatch,
  UserResponse,
} from '../../schemas.ts';

export interface UserRoutesOptions {
  accounts: AccountService;
  cookies: CookieNames;
  secureCookies: boolean;
}

/** The signed-in user's profile, password and account. */
export const userRoutes: FastifyPluginAsyncTypebox<UserRoutesOptions> = async (
  app,
  { accounts, cookies, secureCookies },
) => {
  app.addHook('preHandler', app.requireUser);

  app.get(
    '/me',
    {
      schema: {
        tags: ['users'],
        summary: 'Read your profile',
        response: { 200: UserResponse, 401: errorResponses[401] },
      },
    },
    async (request) => ({ user: toPublicUser(await accounts.get(claimsOf(request).userId)) }),
  );

  app.patch(
    '/me',
    {
      schema: {
        tags: ['users'],
        summary: 'Change your name or bio',
        body: ProfilePatch,
        response: { 200: UserResponse, ...errorResponses },
      },
    },
    async (request) => ({ user: toPublicUser(await accounts.updateProfile(claimsOf(request).userId, request.body)) }),
  );

  app.post(
    '/me/password',
    {
      schema: {
        tags: ['users'],
        summary: 'Change your password; signs out every other session',
        body: PasswordChangeBody,
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { userId, sessionId } = claimsOf(request);
      await accounts.changePassword(userId, request.body, sessionId);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/me',
    {
      schema: {
        tags: ['users'],
        summary: 'Delete your account and all its data (password required)',
        body: DeleteAccountBody,
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      await accounts.deleteAccount(claimsOf(request).userId, request.body.password);
      clearSessionCookies(reply, cookies, secureCookies);
      return reply.status(204).send(null);
    },
  );
};

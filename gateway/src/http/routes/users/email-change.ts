import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AccountService } from '../../../domain/account-service.ts';
import type { EmailVerificationService } from '../../../domain/email-verification.ts';
import { toPublicUser } from '../../../domain/user.ts';
import { claimsOf } from '../../plugins/authenticate.ts';
import { EmailChangeBody, errorResponses, UserResponse } from '../../schemas.ts';

export interface EmailChangeRoutesOptions {
  accounts: AccountService;
  verification: EmailVerificationService;
}

/** `POST /users/me/email`: move the account to another address, which then needs verifying. */
export const emailChangeRoutes: FastifyPluginAsyncTypebox<EmailChangeRoutesOptions> = async (
  app,
  { accounts, verification },
) => {
  app.addHook('preHandler', app.requireUser);

  app.post(
    '/me/email',
    {
      schema: {
        tags: ['users'],
        summary: 'Change your email (password required); the new address gets a verification link',
        description:
          'The account is unverified until the new link is opened (links mailed to the old address stop ' +
          'working) and the old address is told. 403 for a wrong password, 409 `already_exists` for a taken ' +
          'address, 429 `too_many_requests` (`details.limit: "email_resend_per_user"`): changes share the ' +
          'per-user budget of verification mails.',
        body: EmailChangeBody,
        response: { 200: UserResponse, ...errorResponses, 409: errorResponses[400] },
      },
    },
    async (request) => {
      const { userId } = claimsOf(request);
      await verification.beforeEmailChange(userId);
      const { user, previousEmail } = await accounts.changeEmail(userId, request.body);
      // The change stands either way; a lost link is re-sent from the web app's banner.
      await verification.emailChanged(user, previousEmail).catch((err: unknown) => {
        request.log.error({ err, userId }, 'email change mail failed');
      });
      return { user: toPublicUser(user) };
    },
  );
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { EmailVerificationService } from '../../../domain/email-verification.ts';
import { toPublicUser } from '../../../domain/user.ts';
import { claimsOf } from '../../plugins/authenticate.ts';
import { rateLimitRefusal } from '../../rate-limit-refusal.ts';
import { Accepted, errorResponses, UserResponse, VerifyEmailBody } from '../../schemas.ts';

export interface EmailVerificationRoutesOptions {
  verification: EmailVerificationService;
  /** In-process limit per client IP (the auth routes' RATE_LIMIT_AUTH_PER_IP_PER_MINUTE). */
  perIpPerMinute: number;
}

/** `POST /auth/email/verify` and `POST /auth/email/resend` (DESIGN §9.4). */
export const emailVerificationRoutes: FastifyPluginAsyncTypebox<EmailVerificationRoutesOptions> = async (
  app,
  { verification, perIpPerMinute },
) => {
  const perIp = {
    rateLimit: { max: perIpPerMinute, timeWindow: '1 minute', errorResponseBuilder: rateLimitRefusal('auth_per_ip') },
  };

  app.post(
    '/verify',
    {
      config: perIp,
      schema: {
        tags: ['auth'],
        summary: 'Verify your email with the token from the mailed link (no sign-in needed)',
        description:
          'A token that is unknown, already used or mailed to an address the account no longer has is 400 ' +
          '`invalid_argument` with `details.reason: "token_invalid"`; an expired one `"token_expired"`.',
        body: VerifyEmailBody,
        response: { 200: UserResponse, ...errorResponses },
      },
    },
    async (request) => ({ user: toPublicUser(await verification.verify(request.body.token)) }),
  );

  app.post(
    '/resend',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['auth'],
        summary: 'Mail a new verification link to your address',
        description:
          'Limited per user per hour (429 `too_many_requests`, `details.limit: "email_resend_per_user"`, ' +
          'Retry-After); an email already verified is 409 `failed_precondition` (`details.reason: "already_verified"`).',
        response: { 202: Accepted, ...errorResponses, 409: errorResponses[400] },
      },
    },
    async (request, reply) => {
      await verification.resend(claimsOf(request).userId);
      return reply.status(202).send({ message: 'a new verification link is on its way' });
    },
  );
};

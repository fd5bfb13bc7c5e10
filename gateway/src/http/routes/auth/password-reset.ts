import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PasswordResetService } from '../../../domain/password-reset.ts';
import { rateLimitRefusal } from '../../rate-limit-refusal.ts';
import { Accepted, errorResponses, ForgotPasswordBody, NoContent, ResetPasswordBody } from '../../schemas.ts';

export interface PasswordResetRoutesOptions {
  passwordReset: PasswordResetService;
  /** In-process limit per client IP (the auth routes' RATE_LIMIT_AUTH_PER_IP_PER_MINUTE). */
  perIpPerMinute: number;
}

/** The one answer to every accepted forgot request, so it cannot tell known addresses from unknown ones. */
const FORGOT_ACCEPTED = {
  message: 'if an account uses this address, a link to reset its password is on its way',
} as const;

/** `POST /auth/password/forgot` and `POST /auth/password/reset` (DESIGN §9.4). */
export const passwordResetRoutes: FastifyPluginAsyncTypebox<PasswordResetRoutesOptions> = async (
  app,
  { passwordReset, perIpPerMinute },
) => {
  const perIp = {
    rateLimit: { max: perIpPerMinute, timeWindow: '1 minute', errorResponseBuilder: rateLimitRefusal('auth_per_ip') },
  };

  app.post(
    '/forgot',
    {
      config: perIp,
      schema: {
        tags: ['auth'],
        summary: 'Mail a password-reset link; the same 202 whether or not the address has an account',
        description:
          'Limited per client IP and per address (429 `too_many_requests`, `details.limit: ' +
          '"password_forgot_per_email"`, Retry-After), known or not.',
        body: ForgotPasswordBody,
        response: { 202: Accepted, ...errorResponses },
      },
    },
    async (request, reply) => {
      await passwordReset.forgot(request.body.email);
      return reply.status(202).send(FORGOT_ACCEPTED);
    },
  );

  app.post(
    '/reset',
    {
      config: perIp,
      schema: {
        tags: ['auth'],
        summary: 'Set a new password with the mailed token; ends every session of the account',
        description:
          'A weak password is 400 with `details.field: "newPassword"` and leaves the token usable; a token ' +
          'unknown or used is 400 `details.reason: "token_invalid"`, an expired one `"token_expired"`.',
        body: ResetPasswordBody,
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      await passwordReset.reset(request.body.token, request.body.newPassword);
      return reply.status(204).send(null);
    },
  );
};

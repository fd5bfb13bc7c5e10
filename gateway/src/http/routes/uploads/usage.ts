import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import type { SessionsClient } from '@lfusys/proto/sessions-client';
import type { AccountService } from '../../../domain/account-service.ts';
import { claimsOf } from '../../plugins/authenticate.ts';
import { errorResponses } from '../../schemas.ts';

export interface UsageRoutesOptions {
  sessions: SessionsClient;
  accounts: AccountService;
  /** The quota of an account whose email is not verified (`UNVERIFIED_QUOTA_BYTES`). */
  unverifiedQuotaBytes: number;
}

const UsageResponse = Type.Object({
  usage: Type.Object({
    usedBytes: Type.Integer({ minimum: 0, description: 'Stored files plus uploads in progress (reserved at open)' }),
    quotaBytes: Type.Integer({
      minimum: 0,
      description: 'The quota that applies (smaller until the email is verified)',
    }),
    maxFileBytes: Type.Integer({ minimum: 0, description: 'The largest file an open accepts' }),
  }),
});

/**
 * `GET /uploads/usage`: storage used and the limits an open will meet, so the web app shows them
 * up front and refuses a file that cannot fit before sending anything. Registered inside the
 * uploads scope (the user is already authenticated).
 */
export const usageRoutes: FastifyPluginAsyncTypebox<UsageRoutesOptions> = async (
  app,
  { sessions, accounts, unverifiedQuotaBytes },
) => {
  app.get(
    '/usage',
    {
      schema: {
        tags: ['uploads'],
        summary: 'Storage used, your quota and the largest file accepted',
        response: { 200: UsageResponse, 401: errorResponses[401] },
      },
    },
    async (request) => {
      const { userId } = claimsOf(request);
      const { emailVerified } = await accounts.get(userId);
      // The same cap an open applies (POST /uploads): sessions takes the smaller of it and its own.
      const usage = await sessions.getUsage(
        { userId, quotaBytes: emailVerified ? 0 : unverifiedQuotaBytes },
        { requestId: request.id },
      );
      return { usage: { usedBytes: usage.usedBytes, quotaBytes: usage.quotaBytes, maxFileBytes: usage.maxFileBytes } };
    },
  );
};

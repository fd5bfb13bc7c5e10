import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ProviderAccounts } from '../../../domain/provider-accounts.ts';
import type { ProviderRegistry } from '../../../oidc/provider-registry.ts';
import { claimsOf } from '../../plugins/authenticate.ts';
import { NoContent } from '../../schemas.ts';
import { errorResponsesFor, IdentitiesResponse, ProviderParams } from './oidc-schemas.ts';

export interface IdentityRoutesOptions {
  providers: ProviderRegistry;
  providerAccounts: ProviderAccounts;
}

/** The signed-in user's linked identities: list, and unlink while another way to sign in remains. */
export const identityRoutes: FastifyPluginAsyncTypebox<IdentityRoutesOptions> = async (
  app,
  { providers, providerAccounts },
) => {
  app.addHook('preHandler', app.requireUser);

  app.get(
    '/identities',
    {
      schema: {
        tags: ['auth'],
        summary: 'Your linked identity providers',
        response: { 200: IdentitiesResponse, ...errorResponsesFor() },
      },
    },
    async (request) => {
      const identities = await providerAccounts.list(claimsOf(request).userId);
      return {
        identities: identities.map((i) => ({
          provider: i.provider,
          // A provider no longer configured still shows, under its id.
          name: providers.has(i.provider) ? providers.get(i.provider).name : i.provider,
          email: i.email,
          linkedAt: i.linkedAt,
        })),
      };
    },
  );

  app.delete(
    '/identities/:provider',
    {
      schema: {
        tags: ['auth'],
        summary: 'Unlink a provider; 409 last_sign_in_method when it is your only way to sign in',
        params: ProviderParams,
        response: { 204: NoContent, ...errorResponsesFor(404, 409) },
      },
    },
    async (request, reply) => {
      await providerAccounts.unlink(claimsOf(request).userId, request.params.provider);
      return reply.status(204).send(null);
    },
  );
};

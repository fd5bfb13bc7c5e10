import { Type } from '@fastify/type-provider-typebox';
import { ErrorResponse, errorResponses } from '../../schemas.ts';

const closed = { additionalProperties: false } as const;

/** Any name up to 64 characters: one no provider has is a 404 (not_found), whatever its shape. */
export const ProviderParams = Type.Object({ provider: Type.String({ minLength: 1, maxLength: 64 }) }, closed);

export const ProvidersResponse = Type.Object({
  providers: Type.Array(Type.Object({ id: Type.String(), name: Type.String() }, closed)),
});

export const StartQuery = Type.Object({ returnTo: Type.Optional(Type.String({ maxLength: 2048 })) }, closed);

/**
 * The provider's redirect carries its own parameters (code, state, iss, error, scope, …): all
 * allowed and checked by the callback itself, so that even a malformed one (two `state`s) ends in
 * the web app with `authError`, not in a JSON page.
 */
export const CallbackQuery = Type.Record(Type.String(), Type.Unknown());

export const IdentitiesResponse = Type.Object({
  identities: Type.Array(
    Type.Object(
      {
        provider: Type.String(),
        name: Type.String(),
        email: Type.String(),
        linkedAt: Type.String({ format: 'date-time' }),
      },
      closed,
    ),
  ),
});

/** The standard error responses plus the given statuses. */
export function errorResponsesFor(...statuses: number[]) {
  return { ...errorResponses, ...Object.fromEntries(statuses.map((s) => [s, ErrorResponse])) };
}

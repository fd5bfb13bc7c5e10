import { Type } from '@fastify/type-provider-typebox';
import { MAX_PASSWORD_LENGTH } from '../domain/password-policy.ts';
import { MAX_BIO_LENGTH, MAX_NAME_LENGTH } from '../domain/user.ts';

/**
 * Wire schemas. Objects are closed (`additionalProperties: false`) and the validator neither
 * strips nor coerces, so an unknown field or a number where a string belongs is a 400.
 * Length caps here are in UTF-16 units and generous; the domain enforces the exact rules.
 */
const closed = { additionalProperties: false } as const;

export const Name = Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH, pattern: '\\S' });
export const Bio = Type.String({ maxLength: MAX_BIO_LENGTH });
export const Email = Type.String({ minLength: 3, maxLength: 254 });
export const Password = Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH * 2 });

export const User = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    name: Type.String(),
    bio: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  closed,
);
export const UserResponse = Type.Object({ user: User });

export const ErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    requestId: Type.String(),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
});

export const RegisterBody = Type.Object({ name: Name, email: Email, password: Password }, closed);
export const LoginBody = Type.Object({ email: Email, password: Password }, closed);
export const ProfilePatch = Type.Object(
  { name: Type.Optional(Name), bio: Type.Optional(Bio) },
  { ...closed, minProperties: 1 },
);
export const PasswordChangeBody = Type.Object({ currentPassword: Password, newPassword: Password }, closed);
export const DeleteAccountBody = Type.Object({ password: Password }, closed);
export const CsrfResponse = Type.Object({ csrfToken: Type.String() });

/** Standard error responses to document on every route. */
export const errorResponses = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  429: ErrorResponse,
} as const;

/** 204 responses carry no body. */
export const NoContent = Type.Null();

import type { UserRecord } from '../ports/user-repository.ts';

/** What the API shows of a user: never the password hash. */
export interface PublicUser {
  id: string;
  email: string;
  name: string;
  bio: string;
  emailVerified: boolean;
  createdAt: string;
}

export function toPublicUser(user: UserRecord): PublicUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    bio: user.bio,
    emailVerified: user.emailVerified,
    createdAt: user.createdAt,
  };
}

export const MAX_NAME_LENGTH = 100;
export const MAX_BIO_LENGTH = 1000;

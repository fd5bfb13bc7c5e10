import { SESSION_ID_CLAIM, UPLOAD_ID_CLAIM, UPLOAD_TOKEN_TYPE, UPLOADS_AUDIENCE } from '@lfusys/commons';
import type { Clock } from '../ports/clock.ts';
import { signToken } from './sign-token.ts';
import type { SigningKeyRing } from './signing-keys.ts';

export interface UploadTokens {
  /** A token that lets its bearer send chunks of one upload, and nothing else. */
  issue(claims: { userId: string; uploadId: string; sessionId: string }): Promise<{ token: string; expiresAt: number }>;
}

export function createUploadTokens(options: {
  keys: SigningKeyRing;
  issuer: string;
  ttlSeconds: number;
  clock: Clock;
}): UploadTokens {
  return {
    // `sid` ties the token to the login session that asked for it: ending that session (logout,
    // password change, account deletion) makes the workers refuse it too (DESIGN.md §9.3).
    issue: ({ userId, uploadId, sessionId }) =>
      signToken(options, {
        type: UPLOAD_TOKEN_TYPE,
        audience: UPLOADS_AUDIENCE,
        subject: userId,
        ttlSeconds: options.ttlSeconds,
        claims: { [UPLOAD_ID_CLAIM]: uploadId, [SESSION_ID_CLAIM]: sessionId },
      }),
  };
}

import { randomUUID } from 'node:crypto';
import { SIGNING_ALGORITHM, UPLOAD_ID_CLAIM, UPLOAD_TOKEN_TYPE, UPLOADS_AUDIENCE } from '@lfusys/commons';
import { SignJWT } from 'jose';
import type { Clock } from '../ports/clock.ts';
import type { SigningKeyRing } from './signing-keys.ts';

export interface UploadTokens {
  /** A token that lets its bearer send chunks of one upload, and nothing else. */
  issue(claims: { userId: string; uploadId: string }): Promise<{ token: string; expiresAt: number }>;
}

export function createUploadTokens(options: {
  keys: SigningKeyRing;
  issuer: string;
  ttlSeconds: number;
  clock: Clock;
}): UploadTokens {
  return {
    async issue({ userId, uploadId }) {
      const now = Math.floor(options.clock.now() / 1000);
      const expiresAt = now + options.ttlSeconds;
      const token = await new SignJWT({ [UPLOAD_ID_CLAIM]: uploadId })
        .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: options.keys.active.kid, typ: UPLOAD_TOKEN_TYPE })
        .setIssuer(options.issuer)
        .setAudience(UPLOADS_AUDIENCE)
        .setSubject(userId)
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(expiresAt)
        .setJti(randomUUID())
        .sign(options.keys.active.privateKey);
      return { token, expiresAt };
    },
  };
}

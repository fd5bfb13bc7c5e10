import { createHash, randomBytes } from 'node:crypto';

/** 256 bits of randomness (RFC 9700 asks refresh tokens be unguessable; ≥128 bits suffices). */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Tokens are stored as SHA-256: they carry full entropy, so a fast hash is enough (no salt or
 * KDF needed), and a leaked table holds nothing usable.
 */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

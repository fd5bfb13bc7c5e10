import { randomUUID } from 'node:crypto';
import { importJWK, type JWK, errors as joseErrors, jwtVerify, type KeyObject, SignJWT } from 'jose';
import { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import { ed25519PublicJwkSchema } from '../jwt/ed25519-jwk.ts';
import { SIGNING_ALGORITHM } from '../jwt/jwks-verifier.ts';

/**
 * Service-to-service credentials for the sessions gRPC API (docs/security.md "Internal calls").
 * Each calling service signs, per call, a short-lived JWT with its own Ed25519 key: who it is
 * (`sub`), which RPC this is (`rpc`, the method path), the user it acts for (`user`) and, when the
 * call concerns one upload, that upload (`upload`). Sessions verifies it on every call with the
 * callers' public keys and takes the user only from it.
 */
export const SESSIONS_AUDIENCE = 'sessions';
/** RFC 8725 §3.11 explicit typing: a user's access or upload token can never pass as one of these. */
export const CALLER_TOKEN_TYPE = 'caller+jwt';
/** The longest lifetime a caller may give its token; longer ones are refused. */
export const CALLER_TOKEN_MAX_TTL_SECONDS = 60;
/** The metadata key the token travels in (lower case: gRPC metadata keys are). */
export const CALLER_TOKEN_METADATA_KEY = 'authorization';

/** `details.reason` of a PERMISSION_DENIED that refuses the calling service (not a user's action). */
export const CALLER_NOT_ALLOWED_REASON = 'caller_not_allowed';

export const CALLER_SERVICES = ['gateway', 'uploads'] as const;
export type CallerService = (typeof CALLER_SERVICES)[number];

/** What one call asserts, signed by the caller. */
export interface CallAssertion {
  rpc: string;
  user: string;
  upload?: string | undefined;
}

export interface VerifiedCaller extends CallAssertion {
  service: CallerService;
}

export type CallerTokenSigner = (assertion: CallAssertion) => Promise<string>;
export type CallerTokenVerifier = (token: string) => Promise<VerifiedCaller>;

/** Mints one token per call: with Ed25519 that is tens of microseconds, and each token is bound to its call. */
export async function createCallerTokenSigner(
  service: CallerService,
  privateJwk: JWK,
  ttlSeconds = 30,
): Promise<CallerTokenSigner> {
  if (ttlSeconds > CALLER_TOKEN_MAX_TTL_SECONDS)
    throw new Error(`caller tokens live at most ${CALLER_TOKEN_MAX_TTL_SECONDS} s`);
  const kid = privateJwk.kid;
  if (!kid) throw new Error('the caller key needs a kid');
  const key = (await importJWK(privateJwk, SIGNING_ALGORITHM)) as KeyObject;
  return (assertion) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      rpc: assertion.rpc,
      user: assertion.user,
      ...(assertion.upload ? { upload: assertion.upload } : {}),
    })
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, typ: CALLER_TOKEN_TYPE, kid })
      .setSubject(service)
      .setAudience(SESSIONS_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSeconds)
      .setJti(randomUUID())
      .sign(key);
  };
}

/** `{"gateway": [public JWK, ...], "uploads": [...]}`: several keys per service while one rotates. */
export const callerPublicKeysSchema = z
  .partialRecord(z.enum(CALLER_SERVICES), z.array(ed25519PublicJwkSchema).min(1))
  .refine((map) => {
    const kids = Object.values(map).flatMap((keys) => keys.map((k) => k.kid));
    return new Set(kids).size === kids.length;
  }, 'every key needs its own kid, across services');

const claimsSchema = z.object({
  sub: z.enum(CALLER_SERVICES),
  rpc: z.string().min(1),
  user: z.string().min(1),
  upload: z.string().min(1).optional(),
  iat: z.number(),
  exp: z.number(),
});

/** The refusal of a token whose `kid` no configured key has (a caller may have published it since). */
const UNKNOWN_KEY_REASON = 'unknown key';

const refuse = (reason: string, cause?: unknown) =>
  new AppError('unauthenticated', `caller credential refused: ${reason}`, { cause });

/** True for the refusal of a token signed with a key the verifier does not know. */
export const isUnknownCallerKey = (err: unknown) =>
  err instanceof AppError && err.message === `caller credential refused: ${UNKNOWN_KEY_REASON}`;

/**
 * Verifies a caller token: EdDSA only, our type and audience, a key of the service it names
 * (a gateway key cannot speak for uploads), issued at most 60 s ago and living at most 60 s.
 * Every refusal is `unauthenticated`.
 */
export async function createCallerTokenVerifier(
  keys: Partial<Record<CallerService, JWK[]>>,
): Promise<CallerTokenVerifier> {
  const byKid = new Map<string, { service: CallerService; key: KeyObject }>();
  for (const [service, jwks] of Object.entries(keys) as [CallerService, JWK[]][]) {
    for (const jwk of jwks) {
      byKid.set(jwk.kid as string, { service, key: (await importJWK(jwk, SIGNING_ALGORITHM)) as KeyObject });
    }
  }
  return async (token) => {
    let signer: CallerService | undefined;
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(
        token,
        (header) => {
          const entry = header.kid === undefined ? undefined : byKid.get(header.kid);
          if (!entry) throw refuse(UNKNOWN_KEY_REASON);
          signer = entry.service;
          return entry.key;
        },
        {
          algorithms: [SIGNING_ALGORITHM],
          audience: SESSIONS_AUDIENCE,
          typ: CALLER_TOKEN_TYPE,
          maxTokenAge: CALLER_TOKEN_MAX_TTL_SECONDS,
          clockTolerance: 5,
          requiredClaims: ['sub', 'iat', 'exp', 'jti'],
        },
      ));
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw refuse('expired', err);
      throw refuse('invalid token', err);
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw refuse('missing or malformed claims');
    const { sub, rpc, user, upload, iat, exp } = claims.data;
    if (sub !== signer) throw refuse('signed with another service key');
    if (exp - iat > CALLER_TOKEN_MAX_TTL_SECONDS) throw refuse('lifetime too long');
    return { service: sub, rpc, user, ...(upload ? { upload } : {}) };
  };
}

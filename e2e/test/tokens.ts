import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';

/** What a legitimate token of one kind carries; tests vary one thing at a time. */
export interface TokenShape {
  typ: string;
  aud: string;
  sub: string;
  claims?: JWTPayload;
  /** Seconds the issuer's clock is ahead (+) or behind (−) the verifier's. */
  skewSeconds?: number;
  ttlSeconds?: number;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs like the gateway does (EdDSA, kid, typ, iss/aud/sub/iat/nbf/exp), with the given private JWK. */
export async function signAs(
  jwk: JWK,
  shape: TokenShape,
  header: Record<string, unknown> = {},
  issuer = 'lfusys',
): Promise<string> {
  const key = await importJWK(jwk, 'EdDSA');
  const now = Math.floor(Date.now() / 1000) + (shape.skewSeconds ?? 0);
  return new SignJWT(shape.claims ?? {})
    .setProtectedHeader({ alg: 'EdDSA', kid: jwk.kid ?? '', typ: shape.typ, ...header })
    .setIssuer(issuer)
    .setAudience(shape.aud)
    .setSubject(shape.sub)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + (shape.ttlSeconds ?? 300))
    .sign(key);
}

/** A JWKS server an attacker controls; `fetches` counts how often a verifier was fooled into asking it. */
export async function attackerJwks(
  publicJwk: JWK,
): Promise<{ url: string; fetches: () => number; close(): Promise<void> }> {
  let fetches = 0;
  const server = createServer((_req, res) => {
    fetches += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    fetches: () => fetches,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Forged and malformed variants of a legitimate token: the JWT attacks of RFC 8725 and the
 * usual suspects. Every one must be refused as unauthenticated by any of our verifiers.
 */
export async function forgedTokens(
  ours: JWK,
  shape: TokenShape,
  jku: string,
): Promise<Array<[name: string, token: string]>> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const attacker = { ...(await exportJWK(privateKey)), kid: 'attacker' };
  const attackerPublic = { ...(await exportJWK(publicKey)), kid: 'attacker' };
  const { d: _d, ...ourPublic } = ours;
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: 'lfusys', aud: shape.aud, sub: shape.sub, iat: now, nbf: now, exp: now + 300, ...shape.claims };
  const legit = await signAs(ours, shape);
  const [h, , sig] = legit.split('.');
  const hs256 = (secret: string) => {
    const head = `${b64url({ alg: 'HS256', typ: shape.typ, kid: ours.kid })}.${b64url(claims)}`;
    return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
  };
  return [
    ['alg none, no signature', `${b64url({ alg: 'none', typ: shape.typ })}.${b64url(claims)}.`],
    ['alg none with our kid', `${b64url({ alg: 'none', typ: shape.typ, kid: ours.kid })}.${b64url(claims)}.`],
    ['HS256 keyed with our public JWK', hs256(JSON.stringify(ourPublic))],
    ['HS256 keyed with our public key bytes', hs256(String(ours.x))],
    ['signature stripped', `${h}.${b64url(claims)}.`],
    ['payload swapped under a real signature', `${h}.${b64url({ ...claims, sub: 'someone-else' })}.${sig}`],
    ['foreign key, embedded jwk header', await signAs(attacker, shape, { jwk: attackerPublic })],
    ['foreign key, jku to its own JWKS', await signAs(attacker, shape, { jku })],
    ['foreign key, x5u header', await signAs(attacker, shape, { x5u: jku })],
    ['foreign key claiming our kid', await signAs({ ...attacker, kid: ours.kid ?? '' }, shape)],
    ['hostile kid: path traversal', await signAs({ ...attacker, kid: '../../../../etc/passwd' }, shape)],
    ['hostile kid: injection', await signAs({ ...attacker, kid: "' OR '1'='1" }, shape)],
    ['hostile kid: 8 KB', await signAs({ ...attacker, kid: 'k'.repeat(8192) }, shape)],
    ['our key, wrong issuer', await signAs(ours, shape, {}, 'evil')],
    ['our key, wrong audience', await signAs(ours, { ...shape, aud: 'someone-else' })],
    ['our key, wrong typ', await signAs(ours, { ...shape, typ: 'JWT' })],
    ['our key, expired 5 minutes ago', await signAs(ours, { ...shape, skewSeconds: -600, ttlSeconds: 300 })],
    ['our key, valid from 5 minutes on', await signAs(ours, { ...shape, skewSeconds: 300 })],
    ['not a JWT', 'not-a-jwt'],
    ['empty', ''],
    ['a 4 KB garbage token', 'a'.repeat(4096)],
  ];
}

import type { JWK } from 'jose';
import { z } from 'zod';
import { generateDevTls } from '../dev-secrets/dev-tls.ts';
import { CALLER_SERVICES, type CallerService } from '../grpc/caller-token.ts';
import {
  ed25519PrivateJwkSchema,
  ed25519PublicJwkSchema,
  generateEd25519Jwk,
  publicJwkOf,
} from '../jwt/ed25519-jwk.ts';
import type { Logger } from '../logger.ts';
import { ensureSecret, publishSecret, type SecretStore, waitForSecret } from './secret-store.ts';

/**
 * The keys each service creates, publishes or awaits in AWS, where Terraform creates the secrets
 * without values (docs/security.md "Where keys come from"). Each private key is created by the
 * one service that holds it, on its first start; a public half is published to a secret that
 * only its readers may read. Putting the value `rotate` into a caller key or TLS secret makes the
 * next start replace it.
 */
export const ROTATE_VALUE = 'rotate';
const rotate = { replace: (value: string) => value.trim() === ROTATE_VALUE };

export interface KeyProvisioning {
  store: SecretStore;
  logger: Logger;
  /** How long to wait for a peer's published value before the task gives up (and is restarted). */
  waitMs: number;
}

/** JWT_PRIVATE_KEYS: one new signing key on the first start (rotation adds keys by hand, see security.md). */
export const provisionSigningKeys = (p: KeyProvisioning, secretId: string) =>
  ensureSecret(p.store, secretId, async () => JSON.stringify([await generateEd25519Jwk()]));

/** The public half of a caller key as its public secret holds it: a JSON array of one public JWK. */
export const callerPublicKeyValue = (privateJwk: string) =>
  JSON.stringify([publicJwkOf(parseSecretJson(privateJwk, ed25519PrivateJwkSchema, 'the caller key') as JWK)]);

/**
 * A secret's JSON value checked against `schema`. The error names the secret, never the value:
 * JSON.parse's own message quotes the text, and private keys must not reach a log.
 */
function parseSecretJson<T extends z.ZodType>(value: string, schema: T, what: string): z.output<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error(`${what} is not JSON`);
  }
  const result = schema.safeParse(parsed);
  if (!result.success) throw new Error(`${what} does not hold the expected value`);
  return result.data;
}

/**
 * SESSIONS_CALLER_KEY of gateway or uploads: `envValue` when set, else the private secret's value
 * (created on the first start); either way its public half is published for sessions.
 */
export async function provisionCallerKey(
  p: KeyProvisioning,
  ids: { keySecretId?: string | undefined; publicKeySecretId?: string | undefined },
  envValue: string | undefined,
): Promise<string> {
  const key =
    envValue ??
    (ids.keySecretId
      ? await ensureSecret(p.store, ids.keySecretId, async () => JSON.stringify(await generateEd25519Jwk()), rotate)
      : undefined);
  if (key === undefined) throw new Error('SESSIONS_CALLER_KEY or SESSIONS_CALLER_KEY_SECRET_ID must be set');
  if (ids.publicKeySecretId) await publishSecret(p.store, ids.publicKeySecretId, callerPublicKeyValue(key));
  return key;
}

const callerPublicKeysValue = z.array(ed25519PublicJwkSchema).min(1);

/**
 * Sessions' GRPC_CALLER_PUBLIC_KEYS read from each caller's public secret: its current and its
 * previous value, so tasks still signing with the key a rotation replaced are accepted until they
 * stop. A caller that has not published yet has no keys (its calls are refused until it has).
 */
export async function loadCallerPublicKeys(
  store: SecretStore,
  secretIds: Partial<Record<CallerService, string>>,
): Promise<Partial<Record<CallerService, JWK[]>>> {
  const keys: Partial<Record<CallerService, JWK[]>> = {};
  for (const service of CALLER_SERVICES) {
    const secretId = secretIds[service];
    if (!secretId) continue;
    const versions = await Promise.all([store.read(secretId), store.read(secretId, 'previous')]);
    const byKid = new Map<string, JWK>();
    for (const version of versions) {
      if (!version) continue;
      const parsed = parseSecretJson(version.value, callerPublicKeysValue, `secret ${secretId}`);
      for (const jwk of parsed) if (!byKid.has(jwk.kid)) byKid.set(jwk.kid, jwk as JWK);
    }
    if (byKid.size > 0) keys[service] = [...byKid.values()];
  }
  return keys;
}

/** What sessions' private TLS secret holds. */
const sessionsTlsValue = z.object({ certPem: z.string(), keyPem: z.string(), caPem: z.string() });
export type SessionsTls = z.output<typeof sessionsTlsValue>;

/** Long-lived on purpose: callers trust exactly this CA (pinned), not a date; rotation is `rotate`. */
const SESSIONS_TLS_VALID_DAYS = 3650;

/**
 * Sessions' gRPC certificate for its Cloud Map name, created on the first start: a CA made for
 * this one certificate, whose private key is dropped as soon as it has signed it — so trusting
 * that CA is trusting exactly this certificate. The certificate and its key stay in sessions'
 * private secret; the CA certificate is published for the callers.
 */
export async function provisionSessionsTls(
  p: KeyProvisioning,
  ids: { secretId: string; caSecretId: string },
  dnsName: string,
): Promise<SessionsTls> {
  const value = await ensureSecret(
    p.store,
    ids.secretId,
    async () => {
      const tls = await generateDevTls(
        { dns: [dnsName], ips: [] },
        SESSIONS_TLS_VALID_DAYS,
        `lfusys sessions ${dnsName}`,
      );
      return JSON.stringify(tls);
    },
    rotate,
  );
  const tls = parseSecretJson(value, sessionsTlsValue, `secret ${ids.secretId}`);
  await publishSecret(p.store, ids.caSecretId, tls.caPem);
  return tls;
}

/**
 * SESSIONS_TLS_CA_PEM of a caller: sessions' published CA, waited for when sessions has not
 * started yet, and the one it replaced (sessions tasks not yet rolled after a rotation serve that).
 */
export async function awaitSessionsTlsCa(p: KeyProvisioning, caSecretId: string): Promise<string> {
  const current = await waitForSecret(p.store, caSecretId, {
    timeoutMs: p.waitMs,
    onWait: (attempt) => {
      if (attempt === 1) p.logger.info({ secretId: caSecretId }, "waiting for sessions' TLS certificate");
    },
  });
  const previous = await p.store.read(caSecretId, 'previous');
  return previous ? `${current.trimEnd()}\n${previous.value}` : current;
}

import { z } from 'zod';
import { createSecretsManagerClient } from '../aws/clients.ts';
import { baseConfigShape } from '../config/fields.ts';
import { sessionsCallerSecretsShape } from '../grpc/sessions-caller-config.ts';
import type { Logger } from '../logger.ts';
import { SecretsManagerSecretStore } from './secrets-manager-secret-store.ts';
import { awaitSessionsTlsCa, type KeyProvisioning, provisionCallerKey } from './service-keys.ts';

/**
 * Start-up in two steps, so that every later part of a service reads its keys from config as before:
 * (1) load these key sources, (2) resolve the secrets they name into config values, (3) load the
 * service's whole config from the environment plus those values. Plain values (make dev, compose,
 * tests) win: their secrets are not read.
 */
const optionalValue = z.string().min(1).optional();

/** The key sources of a caller of sessions (gateway, uploads). */
export const callerKeySourcesShape = {
  ...baseConfigShape,
  ...sessionsCallerSecretsShape,
  SESSIONS_CALLER_KEY: optionalValue,
  SESSIONS_TLS_CA_PEM: optionalValue,
};
const callerKeySources = z.object(callerKeySourcesShape);
export type CallerKeySources = z.output<typeof callerKeySources>;

/** Secrets Manager with the service's AWS settings; waits for peers as long as other start-up dependencies. */
export function keyProvisioning(
  sources: Pick<CallerKeySources, 'AWS_REGION' | 'AWS_ENDPOINT_URL' | 'AWS_SOCKET_TIMEOUT_MS' | 'STARTUP_RETRY_MS'>,
  logger: Logger,
): KeyProvisioning {
  const client = createSecretsManagerClient({
    region: sources.AWS_REGION,
    endpoint: sources.AWS_ENDPOINT_URL,
    socketTimeoutMs: sources.AWS_SOCKET_TIMEOUT_MS,
  });
  return { store: new SecretsManagerSecretStore(client), logger, waitMs: sources.STARTUP_RETRY_MS };
}

/**
 * SESSIONS_CALLER_KEY and SESSIONS_TLS_CA_PEM from their secrets where configured (the caller key
 * created on the first start and its public half published), as config values. Nothing when no
 * secret is named.
 */
export async function callerKeyValues(
  sources: CallerKeySources,
  p: () => KeyProvisioning,
): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  const named =
    sources.SESSIONS_CALLER_KEY_SECRET_ID ??
    sources.SESSIONS_CALLER_PUBLIC_KEY_SECRET_ID ??
    sources.SESSIONS_TLS_CA_SECRET_ID;
  if (!named) return values;
  const provisioning = p();
  if (sources.SESSIONS_CALLER_KEY_SECRET_ID || sources.SESSIONS_CALLER_PUBLIC_KEY_SECRET_ID) {
    values.SESSIONS_CALLER_KEY = await provisionCallerKey(
      provisioning,
      {
        keySecretId: sources.SESSIONS_CALLER_KEY_SECRET_ID,
        publicKeySecretId: sources.SESSIONS_CALLER_PUBLIC_KEY_SECRET_ID,
      },
      sources.SESSIONS_CALLER_KEY,
    );
  }
  if (sources.SESSIONS_TLS_CA_SECRET_ID && !sources.SESSIONS_TLS_CA_PEM) {
    values.SESSIONS_TLS_CA_PEM = await awaitSessionsTlsCa(provisioning, sources.SESSIONS_TLS_CA_SECRET_ID);
  }
  return values;
}

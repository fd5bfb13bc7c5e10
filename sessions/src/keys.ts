import { baseConfigShape, keyProvisioning, type Logger, provisionSessionsTls } from '@lfusys/commons';
import { z } from 'zod';
import { sessionsTlsSecretsShape } from './config.ts';

/** What sessions reads before its config: where its TLS certificate is (src/config.ts has the same keys). */
export const sessionsKeySourcesSchema = z.object({
  ...baseConfigShape,
  ...sessionsTlsSecretsShape,
  GRPC_TLS_CERT_PEM: z.string().min(1).optional(),
});

/**
 * GRPC_TLS_CERT_PEM and GRPC_TLS_KEY_PEM from sessions' TLS secret (AWS): created on the first start
 * for GRPC_TLS_NAME, the CA published for the callers. Nothing when configured as plain values.
 */
export async function sessionsKeyValues(
  sources: z.output<typeof sessionsKeySourcesSchema>,
  logger: Logger,
): Promise<Record<string, string>> {
  const { GRPC_TLS_SECRET_ID: secretId, GRPC_TLS_CA_SECRET_ID: caSecretId, GRPC_TLS_NAME: name } = sources;
  if (!secretId || !caSecretId || !name || sources.GRPC_TLS_CERT_PEM) return {};
  const tls = await provisionSessionsTls(keyProvisioning(sources, logger), { secretId, caSecretId }, name);
  return { GRPC_TLS_CERT_PEM: tls.certPem, GRPC_TLS_KEY_PEM: tls.keyPem };
}

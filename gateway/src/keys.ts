import {
  callerKeySourcesShape,
  callerKeyValues,
  keyProvisioning,
  type Logger,
  provisionSigningKeys,
} from '@lfusys/commons';
import { z } from 'zod';

/** What the gateway reads before its config: where its keys are (src/config.ts has the same keys). */
export const gatewayKeySourcesSchema = z.object({
  ...callerKeySourcesShape,
  JWT_PRIVATE_KEYS: z.string().min(1).optional(),
  JWT_PRIVATE_KEYS_SECRET_ID: z.string().min(1).optional(),
});

/**
 * The gateway's keys held in secrets (AWS), as config values: its JWT signing keys (created on the
 * first start), its caller key for sessions (created, public half published) and sessions' CA.
 */
export async function gatewayKeyValues(
  sources: z.output<typeof gatewayKeySourcesSchema>,
  logger: Logger,
): Promise<Record<string, string>> {
  let provisioning: ReturnType<typeof keyProvisioning> | undefined;
  const p = () => {
    provisioning ??= keyProvisioning(sources, logger);
    return provisioning;
  };
  const values = await callerKeyValues(sources, p);
  if (sources.JWT_PRIVATE_KEYS_SECRET_ID && !sources.JWT_PRIVATE_KEYS) {
    values.JWT_PRIVATE_KEYS = await provisionSigningKeys(p(), sources.JWT_PRIVATE_KEYS_SECRET_ID);
  }
  return values;
}

import type { JWK } from 'jose';
import {
  type CallerService,
  type CallerTokenVerifier,
  createCallerTokenVerifier,
  isUnknownCallerKey,
} from './caller-token.ts';

export interface RefreshOptions {
  /** At most one reload per this long, however many tokens name unknown keys (a flood of forged kids costs one read per interval). */
  minIntervalMs?: number;
  now?: () => number;
  /** A reload that failed (the old keys stay in use). */
  onLoadError?: (err: unknown) => void;
}

/**
 * A caller-token verifier whose keys are loaded again when a token names a key it does not know:
 * in AWS the callers publish their keys on their first start, which may come after sessions'. The
 * token is verified once more with the reloaded keys; a load that fails keeps the old keys.
 */
export async function createRefreshingCallerTokenVerifier(
  load: () => Promise<Partial<Record<CallerService, JWK[]>>>,
  options: RefreshOptions = {},
): Promise<CallerTokenVerifier> {
  const minInterval = options.minIntervalMs ?? 5000;
  const now = options.now ?? Date.now;
  let verify = await createCallerTokenVerifier(await load());
  // The first unknown kid after start reloads at once: a caller that published just after our start waits for nothing.
  let loadedAt = Number.NEGATIVE_INFINITY;
  let reloading: Promise<void> | undefined;
  const reload = async () => {
    loadedAt = now();
    verify = await createCallerTokenVerifier(await load());
  };
  return async (token) => {
    try {
      return await verify(token);
    } catch (err) {
      if (!isUnknownCallerKey(err)) throw err;
      if (!reloading && now() - loadedAt < minInterval) throw err;
      reloading ??= reload()
        .catch((loadErr: unknown) => options.onLoadError?.(loadErr))
        .finally(() => {
          reloading = undefined;
        });
      await reloading;
      return verify(token);
    }
  };
}

/** Inputs of {@link backoffDelay}. */
export interface BackoffOptions {
  /** Ceiling of the first retry's delay. */
  baseMs: number;
  /** No delay ceiling grows past this. */
  capMs: number;
  /** Uniform in [0, 1): `Math.random` in the app, a fixed function in tests. */
  random: () => number;
  /** The server's `Retry-After`: the delay is never shorter than this. */
  retryAfterSeconds?: number;
}

/**
 * Delay before retry number `attempt` (1 = the first retry), with capped exponential backoff and
 * full jitter: `random() * min(cap, base * 2^(attempt - 1))`, but at least the server's `Retry-After`.
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const exponent = Math.max(0, attempt - 1);
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** exponent);
  const jittered = options.random() * ceiling;
  const floor =
    options.retryAfterSeconds !== undefined && options.retryAfterSeconds > 0 ? options.retryAfterSeconds * 1000 : 0;
  return Math.max(jittered, floor);
}

import { ConfigError } from './config/load-config.ts';

/** What the start-up retry needs from a clock: injected so tests drive time by hand. */
export interface StartupClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemStartupClock: StartupClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface StartupRetryOptions {
  /** Names the step in logs and in the final error, e.g. `sessions dependencies`. */
  what: string;
  /** Whole budget from the first attempt; no attempt starts after it (`STARTUP_RETRY_MS`). */
  totalMs: number;
  logger: { warn(fields: object, message: string): void };
  /** First backoff cap; doubles after every failure up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Errors worth another attempt; anything else is thrown at once. Defaults to {@link isTransientStartupError}. */
  isTransient?: (err: unknown) => boolean;
  clock?: StartupClock;
  /** In [0, 1); the jitter source. */
  random?: () => number;
}

/** Raised when the start-up budget ran out; `cause` is the last attempt's error. */
export class StartupRetryError extends Error {
  override readonly name = 'StartupRetryError';
  constructor(
    readonly what: string,
    readonly attempts: number,
    cause: unknown,
  ) {
    super(`${what}: still failing after ${attempts} attempts`, { cause });
  }
}

const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

/**
 * Errors that another attempt may cure: any AWS SDK error (they carry `$metadata`, network faults
 * included), Node's socket errors (`ECONNRESET`, `ECONNREFUSED`, …), timeouts and aborts, and gRPC
 * UNAVAILABLE / DEADLINE_EXCEEDED. Config errors, and every other error our own code throws (a bad
 * key, a programming error), cannot get better by waiting, so the process exits at once.
 */
export function isTransientStartupError(err: unknown): boolean {
  if (err instanceof ConfigError || typeof err !== 'object' || err === null) return false;
  const e = err as { $metadata?: unknown; code?: unknown; name?: unknown; metadata?: unknown };
  if (e.$metadata !== undefined) return true;
  if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) return true;
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return true;
  return e.metadata !== undefined && (e.code === GRPC_UNAVAILABLE || e.code === GRPC_DEADLINE_EXCEEDED);
}

/**
 * Runs a service's start-up dependency set-up (queue lookups, table and bucket checks) until it
 * succeeds, with exponential backoff and full jitter (AWS Architecture Blog, "Exponential Backoff
 * and Jitter"), so a process restarted while its storage is flaky waits it out instead of exiting
 * at the first reset. Each failure is logged at warn with the error; the budget is bounded, and
 * errors that are not transient are thrown without a retry.
 */
export async function retryStartup<T>(task: (attempt: number) => Promise<T>, options: StartupRetryOptions): Promise<T> {
  const clock = options.clock ?? systemStartupClock;
  const random = options.random ?? Math.random;
  const isTransient = options.isTransient ?? isTransientStartupError;
  const initial = options.initialDelayMs ?? 200;
  const max = options.maxDelayMs ?? 5_000;
  const deadline = clock.now() + options.totalMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await task(attempt);
    } catch (err) {
      if (!isTransient(err)) throw err;
      const delayMs = Math.round(random() * Math.min(max, initial * 2 ** (attempt - 1)));
      if (clock.now() + delayMs > deadline) throw new StartupRetryError(options.what, attempt, err);
      options.logger.warn({ err, attempt, retryInMs: delayMs, step: options.what }, 'start-up step failed; retrying');
      await clock.sleep(delayMs);
    }
  }
}

import { MiB } from './stats.ts';

/** Clocks, waits and bounds. */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Milliseconds since an arbitrary origin, monotonic. */
export const now = () => performance.now();

/** Rejects with `what` timed out when `promise` takes longer than `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${Math.round(ms / 1000)} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A generous bound for moving `bytes` through loopback and the emulator: 2 MiB/s worst case, 60 s minimum. */
export const transferBoundMs = (bytes: number) => Math.max(60_000, (bytes / (2 * MiB)) * 1000);

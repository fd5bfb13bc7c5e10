import type { Clock } from './types.ts';

type TimerHandle = Parameters<typeof globalThis.clearTimeout>[0];

/** The platform's clock: `Date.now` and the global timers (looked up at call time, never at import). */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as TimerHandle),
};

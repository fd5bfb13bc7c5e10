/** One fixed counting window: where it starts and when its record may be forgotten (epoch seconds). */
export interface AttemptWindow {
  start: number;
  expiresAt: number;
}

/**
 * Counts sign-in attempts per account and window, shared by every gateway instance, so N
 * instances do not give an attacker N times the budget.
 */
export interface LoginAttemptCounter {
  /**
   * Adds one attempt to (`accountKey`, `window.start`) and returns that window's total including
   * it. Atomic: concurrent callers, in any process, each see a distinct total.
   * `accountKey` is an opaque hash, never an email address.
   */
  increment(accountKey: string, window: AttemptWindow): Promise<number>;
}

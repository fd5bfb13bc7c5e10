/**
 * The signed-in session expired (a silent refresh failed) while the page was in use. Requests
 * that met it wait here instead of failing: uploads keep going on their own upload tokens, a
 * rename in flight is not lost, and the page stays where it is. When the user signs in again the
 * waiting requests are replayed; when they sign out instead, they fail as unauthenticated.
 */
export class SessionExpiry {
  private waiters: ((signedIn: boolean) => void)[] = [];
  private readonly listeners = new Set<() => void>();
  private expired = false;

  /** Marks the session expired; resolves true once the user signed in again, false if they gave up. */
  wait(): Promise<boolean> {
    const promise = new Promise<boolean>((resolve) => this.waiters.push(resolve));
    this.set(true);
    return promise;
  }

  /** The user signed in again (`true`) or signed out (`false`): every waiting request learns which. */
  settle(signedIn: boolean): void {
    for (const waiter of this.waiters.splice(0)) waiter(signedIn);
    this.set(false);
  }

  /** Whether the session is expired now (for React's `useSyncExternalStore`). */
  isExpired = (): boolean => this.expired;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  private set(expired: boolean): void {
    if (this.expired === expired) return;
    this.expired = expired;
    for (const listener of [...this.listeners]) listener();
  }
}

export const sessionExpiry = new SessionExpiry();

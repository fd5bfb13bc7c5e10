/**
 * Whether the device has a network at all, and when that changes: `navigator.onLine` and the
 * window's `online`/`offline` events in the app, a fake in tests. "Online" only means an interface
 * is up (https://html.spec.whatwg.org/multipage/system-state.html#dom-navigator-online), so the
 * engine still watches its own requests to tell a link that carries nothing.
 */
export interface NetworkPort {
  isOnline(): boolean;
  /** Calls `listener` with the new state on each change; returns the unsubscribe function. */
  subscribe(listener: (online: boolean) => void): () => void;
}

/** For hosts without the browser's events (and tests that do not care): always online. */
export const alwaysOnline: NetworkPort = {
  isOnline: () => true,
  subscribe: () => () => undefined,
};

/** The minimal window surface {@link browserNetwork} needs. */
export interface OnlineEventTarget {
  readonly navigator: { readonly onLine: boolean };
  addEventListener(type: 'online' | 'offline', listener: () => void): void;
  removeEventListener(type: 'online' | 'offline', listener: () => void): void;
}

/** The browser's view: `navigator.onLine` and the `online`/`offline` events of `target` (the window). */
export function browserNetwork(target: OnlineEventTarget): NetworkPort {
  return {
    isOnline: () => target.navigator.onLine,
    subscribe(listener) {
      const online = () => listener(true);
      const offline = () => listener(false);
      target.addEventListener('online', online);
      target.addEventListener('offline', offline);
      return () => {
        target.removeEventListener('online', online);
        target.removeEventListener('offline', offline);
      };
    },
  };
}

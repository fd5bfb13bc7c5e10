import type { NetworkPort } from './network-port.ts';
import type { Timer, TimerSet } from './timers.ts';

/**
 * `online`: send freely. `offline`: the device says it has no network; send nothing until it says
 * it has one again. `unreachable`: requests keep failing without any HTTP answer; send one probe
 * at a time, with growing pauses, until one gets an answer.
 */
export type NetworkState = 'online' | 'offline' | 'unreachable';

export interface NetworkGateOptions {
  /** Network failures in a row (no HTTP answer at all) that make the link `unreachable` (default 2). */
  failureThreshold?: number;
  /** Pause before the first probe, doubled per failed probe up to `probeCapMs` (defaults 1 s and 30 s). */
  probeBaseMs?: number;
  probeCapMs?: number;
  /** Uniform in [0, 1): spreads the probes of many tabs. */
  random?: () => number;
}

/**
 * Decides whether chunk requests may start, from the device's online state and from how the
 * engine's own requests end. Waiting here costs no retry attempt: only answers from the server do.
 */
export class NetworkGate {
  private current: NetworkState;
  private failures = 0;
  private failedProbes = 0;
  private probeReady = false;
  private probeTimer: Timer | undefined;
  /** Preparations waiting for the network to come back. */
  private readonly waiters: (() => void)[] = [];
  private readonly unsubscribe: () => void;
  private readonly threshold: number;
  private readonly probeBaseMs: number;
  private readonly probeCapMs: number;
  private readonly random: () => number;

  constructor(
    port: NetworkPort,
    private readonly timers: TimerSet,
    /** Called after every state change, and when a probe may start. */
    private readonly onChange: (state: NetworkState, previous: NetworkState) => void,
    options: NetworkGateOptions = {},
  ) {
    this.threshold = Math.max(1, options.failureThreshold ?? 2);
    this.probeBaseMs = options.probeBaseMs ?? 1000;
    this.probeCapMs = options.probeCapMs ?? 30_000;
    this.random = options.random ?? Math.random;
    this.current = port.isOnline() ? 'online' : 'offline';
    this.unsubscribe = port.subscribe((online) => (online ? this.deviceOnline() : this.deviceOffline()));
  }

  get state(): NetworkState {
    return this.current;
  }

  /** Whether a new chunk request may start now. */
  mayStart(): boolean {
    return this.current === 'online' || (this.current === 'unreachable' && this.probeReady);
  }

  /** A request starts; true when it is the probe of an `unreachable` link. */
  starting(): boolean {
    if (this.current !== 'unreachable' || !this.probeReady) return false;
    this.probeReady = false;
    return true;
  }

  /** A request got an HTTP answer, whatever its status: the link carries traffic. */
  answered(): void {
    this.failures = 0;
    this.failedProbes = 0;
    if (this.current === 'online') return;
    this.transition('online');
  }

  /** A request ended without any HTTP answer (reset, refused, DNS, stalled). */
  failed(probe: boolean): void {
    if (this.current === 'offline') return;
    if (this.current === 'unreachable') {
      if (probe) {
        this.failedProbes++;
        this.scheduleProbe();
      }
      return;
    }
    this.failures++;
    if (this.failures < this.threshold) return;
    this.failedProbes = 0;
    this.transition('unreachable');
    this.scheduleProbe();
  }

  /** Resolves once the gate is not `offline` (at once when it is not). */
  async whenDeviceOnline(): Promise<void> {
    while (this.current === 'offline') await this.nextOnline();
  }

  /** Resolves at the next change to `online` (to cut a backoff short when the network is back). */
  nextOnline(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiters.push(resolve);
    });
  }

  dispose(): void {
    this.unsubscribe();
    this.timers.clear(this.probeTimer);
    this.probeTimer = undefined;
  }

  private deviceOnline(): void {
    if (this.current === 'online') return;
    // The device has a network again: try at full speed; two failures in a row bring the probes back.
    this.failures = 0;
    this.failedProbes = 0;
    this.transition('online');
  }

  private deviceOffline(): void {
    if (this.current === 'offline') return;
    this.transition('offline');
  }

  private transition(next: NetworkState): void {
    const previous = this.current;
    this.current = next;
    this.probeReady = false;
    this.timers.clear(this.probeTimer);
    this.probeTimer = undefined;
    if (next === 'online') for (const wake of this.waiters.splice(0)) wake();
    this.onChange(next, previous);
  }

  /** Equal jitter (half fixed, half random) keeps probes apart without ever probing at once in a loop. */
  private scheduleProbe(): void {
    const ceiling = Math.min(this.probeCapMs, this.probeBaseMs * 2 ** this.failedProbes);
    const delay = ceiling / 2 + (this.random() * ceiling) / 2;
    this.timers.clear(this.probeTimer);
    this.probeTimer = this.timers.set(() => {
      this.probeTimer = undefined;
      if (this.current !== 'unreachable') return;
      this.probeReady = true;
      this.onChange(this.current, this.current);
    }, delay);
  }
}

/**
 * Time for the engine's tests: a manual clock, and helpers that let pending promise chains run
 * (real macrotask turns) without any clock time passing.
 */
import type { Clock } from '../../src/upload-engine/types.ts';

/** One real macrotask turn (lets platform work such as `crypto.subtle` finish); no clock time passes. */
export function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => {
    globalThis.setTimeout(resolve, 0);
  });
}

/** A few real turns: enough for pending promise chains (and quick platform work) to run. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await nextTurn();
}

/** Waits, turn by turn, until `condition` holds; throws after `maxTurns` (no clock time passes). */
export async function until(condition: () => boolean, what = 'condition', maxTurns = 2000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (condition()) return;
    await nextTurn();
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface ManualTimer {
  at: number;
  callback: () => void;
}

/** A clock that only moves when told; timers run in due order, with async work settling in between. */
export class ManualClock implements Clock {
  private time: number;
  private nextHandle = 1;
  private readonly timers = new Map<number, ManualTimer>();

  constructor(start = 1_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const handle = this.nextHandle++;
    this.timers.set(handle, { at: this.time + Math.max(0, ms), callback });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.timers.delete(handle);
  }

  /** Delays (from now) of the timers still pending, ascending. */
  pendingDelays(): number[] {
    return [...this.timers.values()].map((timer) => timer.at - this.time).sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, running every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await settle();
    for (;;) {
      const due = this.nextDue(target);
      if (!due) break;
      const [handle, timer] = due;
      this.timers.delete(handle);
      this.time = timer.at;
      timer.callback();
      await settle();
    }
    this.time = target;
    await settle();
  }

  private nextDue(target: number): [number, ManualTimer] | undefined {
    let best: [number, ManualTimer] | undefined;
    for (const entry of this.timers) {
      if (entry[1].at > target) continue;
      if (!best || entry[1].at < best[1].at) best = entry;
    }
    return best;
  }
}

/** A promise the test resolves by hand (`wait` settles once `open` is called). */
export function gate(): { wait: Promise<void>; open(): void } {
  let resolveWait: () => void = () => undefined;
  const wait = new Promise<void>((resolve) => {
    resolveWait = resolve;
  });
  return { wait, open: () => resolveWait() };
}

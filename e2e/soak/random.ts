import type { IncomingMessage } from 'node:http';
import type { FaultAction, FaultProxy } from '@lfusys/testkit';

/** mulberry32: a small seeded PRNG, so a run's choices can be replayed with its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws from one seeded source: a fraction, an integer in [lo, hi], or one of a list. */
export interface Draw {
  random: () => number;
  between(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
}

export function draw(seed: number): Draw {
  const random = prng(seed);
  return {
    random,
    between: (lo, hi) => lo + Math.floor(random() * (hi - lo + 1)),
    pick: <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T,
  };
}

/**
 * Faults drawn per request: each request through a proxy is faulted with probability `rate`, with
 * a fault that suits it. Unlike faults on a timer, this cannot starve the last upload standing: a
 * chunk needs, on average, 1 / (1 − rate) attempts whatever else is running.
 */
export class RandomFaults {
  readonly fired = new Map<string, number>();
  enabled = true;

  constructor(
    private readonly random: () => number,
    private readonly rate: number,
  ) {}

  attach(proxy: FaultProxy, choices: (req: IncomingMessage) => Array<[kind: string, action: FaultAction]>): void {
    proxy.setRule((req) => {
      if (!this.enabled) return 'forward';
      const options = choices(req);
      if (options.length === 0 || this.random() >= this.rate) return 'forward';
      const [kind, action] = options[Math.floor(this.random() * options.length)] ?? ['none', 'forward'];
      this.count(kind);
      return action;
    });
  }

  count(kind: string): void {
    this.fired.set(kind, (this.fired.get(kind) ?? 0) + 1);
  }

  get total(): number {
    return [...this.fired.values()].reduce((a, b) => a + b, 0);
  }
}

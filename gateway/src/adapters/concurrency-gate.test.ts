import { describe, expect, it } from 'vitest';
import { ConcurrencyGate, GateFullError } from './concurrency-gate.ts';

function deferred() {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('ConcurrencyGate', () => {
  it('runs at most `limit` tasks at once and starts waiters in arrival order', async () => {
    const gate = new ConcurrencyGate(2);
    const tasks = Array.from({ length: 5 }, () => deferred());
    const started: number[] = [];
    let peak = 0;
    let active = 0;
    const results = tasks.map((d, i) =>
      gate.run(async () => {
        started.push(i);
        active += 1;
        peak = Math.max(peak, active);
        await d.promise;
        active -= 1;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect(gate.load).toEqual({ running: 2, waiting: 3 });
    tasks[1]?.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    for (const d of tasks) d.resolve();
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });

  it('frees the slot when a task fails', async () => {
    const gate = new ConcurrencyGate(1);
    await expect(gate.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(async () => 'next')).toBe('next');
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses a limit below one and a negative queue', () => {
    expect(() => new ConcurrencyGate(0)).toThrow(RangeError);
    expect(() => new ConcurrencyGate(1.5)).toThrow(RangeError);
    expect(() => new ConcurrencyGate(1, -1)).toThrow(RangeError);
  });

  it('refuses at once, without running the task, when the wait queue is full', async () => {
    const gate = new ConcurrencyGate(1, 2);
    const first = deferred();
    const running = gate.run(() => first.promise);
    const queued = [gate.run(async () => 'a'), gate.run(async () => 'b')];
    expect(gate.load).toEqual({ running: 1, waiting: 2 });
    let ran = false;
    await expect(
      gate.run(async () => {
        ran = true;
      }),
    ).rejects.toBeInstanceOf(GateFullError);
    expect(ran).toBe(false);
    expect(gate.load).toEqual({ running: 1, waiting: 2 });
    // Once the queue drains, new work is accepted again.
    first.resolve();
    await running;
    expect(await Promise.all(queued)).toEqual(['a', 'b']);
    expect(await gate.run(async () => 'c')).toBe('c');
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });

  it('with no queue at all, refuses whatever finds every slot busy', async () => {
    const gate = new ConcurrencyGate(2, 0);
    const hold = deferred();
    const busy = [gate.run(() => hold.promise), gate.run(() => hold.promise)];
    await expect(gate.run(async () => 'x')).rejects.toBeInstanceOf(GateFullError);
    hold.resolve();
    await Promise.all(busy);
    expect(await gate.run(async () => 'x')).toBe('x');
  });
});

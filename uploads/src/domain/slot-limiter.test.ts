import { ManualClock } from '@lfusys/commons/manual-clock';
import { describe, expect, it } from 'vitest';
import { SlotLimiter, SlotWaitExceededError } from './slot-limiter.ts';

/** Records how a promise settled, so tests can look without awaiting a promise that may never settle. */
function observe<T>(promise: Promise<T>) {
  const state: { value?: T; error?: unknown; settled: boolean } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { value, settled: true }),
    (error: unknown) => Object.assign(state, { error, settled: true }),
  );
  return state;
}

const flush = () => new Promise<void>((r) => setImmediate(r));

describe('SlotLimiter', () => {
  it('grants up to its capacity at once, then queues in arrival order', async () => {
    const limiter = new SlotLimiter(2, 5000, new ManualClock());
    const first = await limiter.acquire();
    await limiter.acquire();
    const third = observe(limiter.acquire());
    const fourth = observe(limiter.acquire());
    await flush();
    expect({ inUse: limiter.inUse, waiting: limiter.waiting, third: third.settled }).toEqual({
      inUse: 2,
      waiting: 2,
      third: false,
    });
    first();
    await flush();
    expect([third.settled, fourth.settled]).toEqual([true, false]);
    expect({ inUse: limiter.inUse, waiting: limiter.waiting }).toEqual({ inUse: 2, waiting: 1 });
  });

  it('refuses a request that waited maxWaitMs as unavailable with Retry-After, and forgets it', async () => {
    const clock = new ManualClock();
    const limiter = new SlotLimiter(1, 5000, clock);
    const held = await limiter.acquire();
    const waiting = observe(limiter.acquire());
    clock.advance(4999);
    await flush();
    expect(waiting.settled).toBe(false);
    clock.advance(1);
    await flush();
    expect(waiting.error).toBeInstanceOf(SlotWaitExceededError);
    expect(waiting.error).toMatchObject({
      code: 'unavailable',
      retryAfterSeconds: 1,
      details: { limit: 'S3_SLOT_WAIT_MS' },
    });
    expect(limiter.waiting).toBe(0);
    held();
    expect(limiter.inUse).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('stops waiting as soon as the client leaves, with the signal reason', async () => {
    const clock = new ManualClock();
    const limiter = new SlotLimiter(1, 5000, clock);
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = observe(limiter.acquire(controller.signal));
    const gone = new Error('client left');
    controller.abort(gone);
    await flush();
    expect(waiting.error).toBe(gone);
    expect({ waiting: limiter.waiting, timers: clock.pending }).toEqual({ waiting: 0, timers: 0 });
    await expect(limiter.acquire(controller.signal)).rejects.toBe(gone);
  });

  it('counts a release once, however often it is called', async () => {
    const limiter = new SlotLimiter(2, 5000, new ManualClock());
    const release = await limiter.acquire();
    await limiter.acquire();
    release();
    release();
    expect(limiter.inUse).toBe(1);
  });

  it('run() releases its slot whether the task succeeds or fails', async () => {
    const limiter = new SlotLimiter(1, 5000, new ManualClock());
    await expect(limiter.run(async () => 'etag')).resolves.toBe('etag');
    await expect(
      limiter.run(async () => {
        throw new Error('S3 failed');
      }),
    ).rejects.toThrow('S3 failed');
    expect(limiter.inUse).toBe(0);
  });
});

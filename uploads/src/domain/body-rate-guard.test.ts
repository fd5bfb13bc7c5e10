import { Writable } from 'node:stream';
import { setImmediate as turn } from 'node:timers/promises';
import { ManualClock } from '@lfusys/commons/manual-clock';
import { describe, expect, it } from 'vitest';
import { BodyRateGuard, isBelowRate, SlowBodyError } from './body-rate-guard.ts';

const policy = { graceMs: 15_000, minBytesPerSecond: 8192 };
const KiB = 1024;

/** A guard whose output is drained, so every byte written counts as received. */
function drainedGuard(clock: ManualClock) {
  const guard = new BodyRateGuard(policy, clock);
  const errors: Error[] = [];
  guard.on('error', (err) => errors.push(err));
  guard.resume();
  return { guard, errors };
}

/** Sends `bytesPerSecond` for `seconds`, one write every `everySeconds`, moving the clock along. */
async function sendAt(
  clock: ManualClock,
  guard: BodyRateGuard,
  bytesPerSecond: number,
  seconds: number,
  everySeconds = 1,
) {
  for (let s = 0; s < seconds && !guard.destroyed; s += everySeconds) {
    guard.write(Buffer.alloc(bytesPerSecond * everySeconds));
    await turn();
    clock.advance(1000 * everySeconds);
    await turn();
  }
}

describe('isBelowRate', () => {
  it('never judges a body within its grace period', () => {
    expect(isBelowRate(policy, 14_999, 0)).toBe(false);
  });

  it('judges the average since the start once the grace is over', () => {
    expect(isBelowRate(policy, 15_000, 15 * 8 * KiB)).toBe(false);
    expect(isBelowRate(policy, 15_000, 15 * 8 * KiB - 1)).toBe(true);
    expect(isBelowRate(policy, 60_000, 60 * 8 * KiB)).toBe(false);
  });
});

describe('BodyRateGuard', () => {
  it('lets a 0.4 Mbit/s uplink shared by 4 chunks (12 KiB/s each) through a whole 16 MiB chunk', async () => {
    const clock = new ManualClock();
    const { guard, errors } = drainedGuard(clock);
    // 16 MiB at 12 KiB/s is about 23 minutes (1,365.3 s).
    await sendAt(clock, guard, 12 * KiB, 1370, 10);
    guard.end();
    await turn();
    expect(errors).toEqual([]);
    expect(guard.bytes).toBe(1370 * 12 * KiB);
    expect(clock.pending).toBe(0);
  });

  it('cuts a 1 KiB/s trickle when the grace ends, with the limit that fired', async () => {
    const clock = new ManualClock();
    const { guard, errors } = drainedGuard(clock);
    await sendAt(clock, guard, KiB, 60);
    expect(guard.destroyed).toBe(true);
    expect(clock.now()).toBe(15_000);
    expect(errors).toHaveLength(1);
    const err = errors[0] as SlowBodyError;
    expect(err).toBeInstanceOf(SlowBodyError);
    expect(err.code).toBe('deadline_exceeded');
    expect(err.httpStatus).toBe(408);
    expect(err.details).toMatchObject({ limit: 'BODY_MIN_BYTES_PER_SECOND', minBytesPerSecond: 8192, bytes: 15 * KiB });
  });

  it('cuts a body that sends nothing at all after its headers', async () => {
    const clock = new ManualClock();
    const { guard, errors } = drainedGuard(clock);
    clock.advance(14_000);
    await turn();
    expect(guard.destroyed).toBe(false);
    clock.advance(1000);
    await turn();
    expect(guard.destroyed).toBe(true);
    expect(errors[0]).toBeInstanceOf(SlowBodyError);
  });

  it('cuts a body that starts fast and then stalls, once its average falls below the rate', async () => {
    const clock = new ManualClock();
    const { guard, errors } = drainedGuard(clock);
    guard.write(Buffer.alloc(240 * KiB)); // enough for 30 s at 8 KiB/s
    await turn();
    clock.advance(30_000);
    await turn();
    expect(guard.destroyed).toBe(false);
    clock.advance(1000);
    await turn();
    expect(errors[0]).toBeInstanceOf(SlowBodyError);
  });

  it('does not count time when its consumer (S3) held the bytes back', async () => {
    const clock = new ManualClock();
    const guard = new BodyRateGuard(policy, clock);
    const errors: Error[] = [];
    guard.on('error', (err) => errors.push(err));
    // Nobody reads: one write fills the readable buffer, the client is no longer on the clock.
    guard.write(Buffer.alloc(64 * KiB));
    await turn();
    clock.advance(120_000);
    await turn();
    expect(errors).toEqual([]);
    expect(guard.clientElapsedMs()).toBe(0);
    // The consumer starts reading: from now on the client's rate counts again.
    guard.pipe(new Writable({ write: (_chunk, _encoding, done) => done() }));
    await turn();
    clock.advance(8000);
    await turn();
    expect(errors).toEqual([]);
    clock.advance(8000);
    await turn();
    expect(errors[0]).toBeInstanceOf(SlowBodyError);
  });

  it('stops checking once the body ended or the stream was destroyed', async () => {
    const clock = new ManualClock();
    const ended = drainedGuard(clock);
    ended.guard.end(Buffer.alloc(10));
    await turn();
    expect(clock.pending).toBe(0);
    const destroyed = drainedGuard(clock);
    destroyed.guard.destroy();
    await turn();
    expect(clock.pending).toBe(0);
    clock.advance(60_000);
    expect(ended.errors).toEqual([]);
    expect(destroyed.errors).toEqual([]);
  });
});

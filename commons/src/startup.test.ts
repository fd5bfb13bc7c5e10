import { describe, expect, it } from 'vitest';
import { ConfigError } from './config/load-config.ts';
import { isTransientStartupError, retryStartup, StartupRetryError } from './startup.ts';

/** A clock that only moves when the code under test sleeps, recording each pause. */
function manualClock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

const sdkReset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', $metadata: { attempts: 3 } });

function recordingLogger() {
  const warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
  return { warnings, warn: (fields: object, message: string) => warnings.push({ fields: { ...fields }, message }) };
}

describe('retryStartup', () => {
  it('retries transient failures with doubling, jittered pauses and returns the first success', async () => {
    const clock = manualClock();
    const logger = recordingLogger();
    let calls = 0;
    const value = await retryStartup(
      async () => {
        calls += 1;
        if (calls < 4) throw sdkReset();
        return 'ready';
      },
      { what: 'deps', totalMs: 60_000, logger, clock, random: () => 0.5, initialDelayMs: 200, maxDelayMs: 5_000 },
    );
    expect(value).toBe('ready');
    expect(calls).toBe(4);
    expect(clock.sleeps).toEqual([100, 200, 400]);
    expect(logger.warnings.map((w) => w.fields.attempt)).toEqual([1, 2, 3]);
    expect(logger.warnings[0]?.fields.err).toBeInstanceOf(Error);
    expect(logger.warnings[0]?.message).toBe('start-up step failed; retrying');
  });

  it('caps each pause at maxDelayMs', async () => {
    const clock = manualClock();
    let calls = 0;
    await retryStartup(
      async () => {
        calls += 1;
        if (calls < 8) throw sdkReset();
      },
      { what: 'deps', totalMs: 600_000, logger: recordingLogger(), clock, random: () => 0.999, maxDelayMs: 1_000 },
    );
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(1_000);
    expect(clock.sleeps.at(-1)).toBe(999);
  });

  it('gives up once the budget is spent, keeping the last error as the cause', async () => {
    const clock = manualClock();
    let calls = 0;
    const failure = retryStartup(
      async () => {
        calls += 1;
        throw sdkReset();
      },
      { what: 'sessions dependencies', totalMs: 10_000, logger: recordingLogger(), clock, random: () => 0.999 },
    );
    const err = await failure.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartupRetryError);
    expect((err as StartupRetryError).attempts).toBe(calls);
    expect((err as Error).cause).toMatchObject({ code: 'ECONNRESET' });
    expect((err as Error).message).toContain('sessions dependencies');
    expect(clock.now()).toBeLessThanOrEqual(10_000);
    expect(calls).toBeGreaterThan(3);
  });

  it('throws a config error at once, without a retry or a warning', async () => {
    const clock = manualClock();
    const logger = recordingLogger();
    let calls = 0;
    const bad = new ConfigError(['QUEUE: required']);
    await expect(
      retryStartup(
        async () => {
          calls += 1;
          throw bad;
        },
        { what: 'deps', totalMs: 60_000, logger, clock },
      ),
    ).rejects.toBe(bad);
    expect(calls).toBe(1);
    expect(clock.sleeps).toEqual([]);
    expect(logger.warnings).toEqual([]);
  });
});

describe('isTransientStartupError', () => {
  it('retries AWS SDK errors, socket errors, timeouts and unavailable gRPC peers', () => {
    expect(isTransientStartupError(sdkReset())).toBe(true);
    expect(isTransientStartupError(Object.assign(new Error('x'), { $metadata: {} }))).toBe(true);
    expect(isTransientStartupError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransientStartupError(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toBe(true);
    expect(isTransientStartupError(Object.assign(new Error('u'), { code: 14, metadata: {} }))).toBe(true);
  });

  it('does not retry config errors, plain errors of our own code or non-errors', () => {
    expect(isTransientStartupError(new ConfigError(['X: bad']))).toBe(false);
    expect(isTransientStartupError(new Error('at least one signing key is required'))).toBe(false);
    expect(isTransientStartupError(new TypeError('not a function'))).toBe(false);
    expect(isTransientStartupError(Object.assign(new Error('perm'), { code: 7, metadata: {} }))).toBe(false);
    expect(isTransientStartupError('boom')).toBe(false);
  });
});

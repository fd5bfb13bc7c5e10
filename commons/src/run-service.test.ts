import { describe, expect, it } from 'vitest';
import { ConfigError } from './config/load-config.ts';
import { type RunningService, runService, type ServiceHost } from './run-service.ts';

/** A host that records what the process would do, and lets the test send signals and fire the grace timer. */
function fakeHost() {
  const listeners = new Map<string, () => void>();
  const timers: Array<{ ms: number; fire: () => void }> = [];
  const exits: number[] = [];
  const reported: unknown[] = [];
  const host: ServiceHost = {
    on: (signal, listener) => void listeners.set(signal, listener),
    exit: (code) => void exits.push(code),
    setTimeout: (fire, ms) => {
      timers.push({ ms, fire });
      return { unref: () => {} };
    },
    reportStartFailure: (err) => void reported.push(err),
  };
  const signal = (name: 'SIGTERM' | 'SIGINT') => listeners.get(name)?.();
  return { host, signal, timers, exits, reported };
}

function service(close: () => Promise<void>) {
  const logged: string[] = [];
  const running: RunningService = {
    logger: { info: (_f, message) => void logged.push(message), error: (_f, message) => void logged.push(message) },
    graceMs: 5000,
    close,
  };
  return { running, logged };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('runService', () => {
  it('on SIGTERM closes the service once, then exits 0; a second signal changes nothing', async () => {
    const { host, signal, exits, timers } = fakeHost();
    let closes = 0;
    const { running, logged } = service(async () => void closes++);
    await runService(async () => running, host);
    signal('SIGTERM');
    signal('SIGINT');
    await settle();
    expect([closes, exits, logged]).toEqual([1, [0], ['shutting down']]);
    expect(timers.map((t) => t.ms)).toEqual([5000]);
  });

  it('exits 1 when closing fails', async () => {
    const { host, signal, exits } = fakeHost();
    const { running, logged } = service(async () => Promise.reject(new Error('stuck')));
    await runService(async () => running, host);
    signal('SIGINT');
    await settle();
    expect([exits, logged]).toEqual([[1], ['shutting down', 'shutdown failed']]);
  });

  it('exits 1 when closing outlasts the grace period', async () => {
    const { host, signal, exits, timers } = fakeHost();
    const { running, logged } = service(() => new Promise(() => {}));
    await runService(async () => running, host);
    signal('SIGTERM');
    timers[0]?.fire();
    expect([exits, logged]).toEqual([[1], ['shutting down', 'shutdown grace period elapsed; exiting']]);
  });

  it('reports a failed start and exits 1 without waiting for signals', async () => {
    const { host, signal, exits, reported } = fakeHost();
    const bad = new ConfigError(['PORT: expected a number']);
    await runService(() => Promise.reject(bad), host);
    signal('SIGTERM');
    expect([exits, reported]).toEqual([[1], [bad]]);
  });
});

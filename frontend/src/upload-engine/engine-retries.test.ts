import { describe, expect, it } from 'vitest';
import { until } from '../../test/support/clock.ts';
import { addOne, finishProcessing, KIB, setup } from '../../test/support/engine-harness.ts';
import { makeSource, patternBytes } from '../../test/support/sources.ts';

describe('UploadEngine: retries', () => {
  it('retries a network error and a 503 with full-jitter backoff', async () => {
    const h = setup({ concurrency: 1, random: () => 0.5, backoffBaseMs: 100, backoffCapMs: 1000 });
    h.server.onChunk = (call) =>
      call.attempt === 1 ? 'network-error' : call.attempt === 2 ? { status: 503 } : undefined;
    const id = addOne(h, makeSource('a.bin', patternBytes(1000)));

    await until(() => h.server.calls.length === 1 && h.server.calls[0]?.settled === true, 'first attempt');
    // Attempt 1 failed: 0.5 × min(1000, 100 × 2⁰) = 50 ms.
    await h.clock.advance(49);
    expect(h.server.calls).toHaveLength(1);
    await h.clock.advance(1);
    await until(() => h.server.calls.length === 2 && h.server.calls[1]?.settled === true, 'second attempt');
    // Attempt 2 failed: 0.5 × min(1000, 100 × 2¹) = 100 ms.
    await h.clock.advance(99);
    expect(h.server.calls).toHaveLength(2);
    await h.clock.advance(1);
    await until(() => h.server.calls.length === 3, 'third attempt');

    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
    expect(h.server.only().received.get(0)).toBe(1);
  });

  it('caps the backoff and scales it with random()', async () => {
    const h = setup({ concurrency: 1, random: () => 0.25, backoffBaseMs: 100, backoffCapMs: 300, maxAttempts: 10 });
    h.server.onChunk = (call) => (call.attempt <= 4 ? { status: 500 } : undefined);
    const id = addOne(h, makeSource('a.bin', patternBytes(10)));
    // 0.25 × min(300, 100·2^(n-1)) for n = 1..4: 25, 50, 75 (capped at 300), 75.
    for (const [n, gap] of [25, 50, 75, 75].entries()) {
      await until(() => h.server.calls.length === n + 1 && h.server.calls[n]?.settled === true, `attempt ${n + 1}`);
      await h.clock.advance(gap - 1);
      expect(h.server.calls).toHaveLength(n + 1);
      await h.clock.advance(1);
      await until(() => h.server.calls.length === n + 2, `attempt ${n + 2}`);
    }
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
  });

  it('waits at least Retry-After on a 429', async () => {
    const h = setup({ concurrency: 1 });
    h.server.onChunk = (call) => (call.attempt === 1 ? { status: 429, retryAfterSeconds: 3 } : undefined);
    const id = addOne(h, makeSource('a.bin', patternBytes(100)));
    await until(() => h.server.calls[0]?.settled === true, 'first attempt');
    await h.clock.advance(2999);
    expect(h.server.calls).toHaveLength(1);
    await h.clock.advance(1);
    await until(() => h.server.calls.length === 2, 'retry');
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
  });

  it('retries a 408 without spending an attempt (the link was too slow), and fails the file after maxAttempts 5xx', async () => {
    const h = setup({ concurrency: 1, maxAttempts: 3 });
    h.server.onChunk = (call) => (call.attempt === 1 ? { status: 408 } : { status: 503 });
    const id = addOne(h, makeSource('a.bin', patternBytes(100)));
    for (let i = 0; i < 20 && h.status(id) !== 'failed'; i++) await h.clock.advance(1000);
    expect(h.status(id)).toBe('failed');
    expect(h.file(id).error).toMatch(/chunk 0 failed after 3 attempts \(HTTP 503\)/);
    // The 408, then three counted 503s.
    expect(h.server.calls).toHaveLength(4);
    // The server upload is kept for a later resume.
    expect(h.store.size).toBe(1);
    expect(h.server.cancelled).toEqual([]);
  });

  it.each([400, 413, 415])('does not retry a %i (one attempt, file failed)', async (status) => {
    const h = setup({ concurrency: 1 });
    h.server.onChunk = () => ({ status });
    const id = addOne(h, makeSource('a.bin', patternBytes(3 * KIB)));
    await until(() => h.status(id) === 'failed', 'failed');
    await h.clock.advance(60_000);
    expect(h.server.calls).toHaveLength(1);
    expect(h.file(id).error).toBe(`chunk 0 was refused (HTTP ${status})`);
  });

  it('fails the file when the upload is gone (404)', async () => {
    const h = setup({ concurrency: 1 });
    h.server.onChunk = () => ({ status: 404 });
    const id = addOne(h, makeSource('a.bin', patternBytes(100)));
    await until(() => h.status(id) === 'failed', 'failed');
    expect(h.file(id).error).toBe('upload no longer exists');
    expect(h.server.calls).toHaveLength(1);
    expect(h.store.size).toBe(0);
  });

  it('treats a 409 for a chunk the server already holds as done', async () => {
    const h = setup({ concurrency: 1 });
    h.server.onChunk = (call) => (call.index === 0 && call.attempt === 1 ? { status: 409, record: true } : undefined);
    const id = addOne(h, makeSource('a.bin', patternBytes(2 * KIB)));
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
    expect(h.server.callsFor(0)).toHaveLength(1);
    expect(h.server.lookups.length).toBeGreaterThan(0);
  });

  it('follows the server when a 409 reveals the upload was cancelled elsewhere', async () => {
    const h = setup({ concurrency: 1 });
    h.server.onChunk = () => {
      h.server.only().status = 'cancelled';
      return undefined;
    };
    const id = addOne(h, makeSource('a.bin', patternBytes(2 * KIB)));
    await until(() => h.status(id) === 'cancelled', 'cancelled');
    expect(h.server.calls).toHaveLength(1);
    expect(h.store.size).toBe(0);
  });

  it('goes to processing when a 409 reveals the server is already assembling', async () => {
    const h = setup({ concurrency: 1 });
    h.server.onChunk = (call) => {
      if (call.index !== 1) return undefined;
      const upload = h.server.only();
      upload.received.set(1, 1);
      upload.status = 'assembling';
      return { status: 409 };
    };
    const id = addOne(h, makeSource('a.bin', patternBytes(2 * KIB)));
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
    expect(h.server.calls).toHaveLength(2);
  });
});

describe('UploadEngine: stall detection', () => {
  it('aborts a request without progress after stallTimeoutMs and retries it', async () => {
    const h = setup({ concurrency: 1, stallTimeoutMs: 5000 });
    h.server.onChunk = (call) => (call.attempt === 1 ? 'stall' : undefined);
    const id = addOne(h, makeSource('a.bin', patternBytes(100)));
    await until(() => h.server.calls.length === 1, 'first request');
    const first = h.server.calls[0];
    await h.clock.advance(4999);
    expect(first?.signal.aborted).toBe(false);
    await h.clock.advance(1);
    expect(first?.signal.aborted).toBe(true);
    await until(() => first?.settled === true, 'abort settles');
    await h.clock.advance(50); // backoff of the first failed attempt
    await until(() => h.server.calls.length === 2, 'retry');
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
  });

  it('restarts the stall timer on every progress event', async () => {
    const h = setup({ concurrency: 1, stallTimeoutMs: 5000, maxAttempts: 2 });
    h.server.onChunk = (call) => (call.attempt === 1 ? 'hold' : undefined);
    const id = addOne(h, makeSource('a.bin', patternBytes(1000)));
    await until(() => h.server.calls.length === 1, 'request');
    const call = h.server.calls[0];
    await h.clock.advance(3000);
    call?.onProgress(100);
    await h.clock.advance(4999);
    expect(call?.signal.aborted).toBe(false);
    await h.clock.advance(1);
    expect(call?.signal.aborted).toBe(true);
    await until(() => call?.settled === true, 'abort settles');
    await h.clock.advance(100);
    await until(() => h.server.calls.length === 2, 'retry');
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
  });
});

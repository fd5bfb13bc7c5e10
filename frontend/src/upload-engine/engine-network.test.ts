import { describe, expect, it } from 'vitest';
import { settle, until } from '../../test/support/clock.ts';
import { addOne, finishProcessing, type Harness, KIB, setup } from '../../test/support/engine-harness.ts';
import { makeSource, patternBytes } from '../../test/support/sources.ts';
import { SESSION_ENDED } from './chunk-outcomes.ts';
import { ApiError } from './types.ts';

/** Acknowledged bytes never went down in any published snapshot. */
function expectMonotonic(h: Harness, id: string): void {
  const seen = h.acked.get(id) ?? [];
  expect(seen.length).toBeGreaterThan(1);
  for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1] ?? 0);
}

describe('UploadEngine: network loss', () => {
  it('while the device is offline sends nothing and spends no attempt; resumes by itself when it is back', async () => {
    const h = setup({ concurrency: 2, maxAttempts: 1 });
    let holding = true;
    h.server.onChunk = () => (holding ? 'hold' : undefined);
    const id = addOne(h, makeSource('a.bin', patternBytes(6 * KIB)));
    await until(() => h.server.open.length === 2, 'two requests');
    h.server.open[0]?.respond();
    await until(() => h.file(id).bytesAcked === KIB, 'one chunk acknowledged');
    // The whole file's SHA-256 is declared before the link drops (an API answer means the link works).
    await until(() => h.server.only().sha256 !== undefined, 'SHA-256 declared');
    const inFlight = h.server.open;

    h.network.set(false);
    expect(h.file(id)).toMatchObject({ status: 'uploading', waiting: 'offline', speedBytesPerSecond: 0 });
    expect(inFlight.every((call) => call.signal.aborted)).toBe(true);
    await until(() => h.server.open.length === 0, 'aborts settle');
    const sent = h.server.calls.length;
    await h.clock.advance(2 * 60_000);
    expect(h.server.calls).toHaveLength(sent);
    expect(h.file(id)).toMatchObject({ status: 'uploading', waiting: 'offline', bytesAcked: KIB });

    holding = false;
    h.network.set(true);
    expect(h.file(id).waiting).toBeUndefined();
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
    // maxAttempts 1: a single counted attempt would have failed the file.
    expect(h.history.get(id)).not.toContain('failed');
    expect([...h.server.only().received.values()]).toEqual([1, 1, 1, 1, 1, 1]);
    expectMonotonic(h, id);
  });

  it('after two network failures in a row waits for the network, probing one request at a time with growing pauses', async () => {
    const h = setup({ concurrency: 2, maxAttempts: 1, probeBaseMs: 100, probeCapMs: 3000, backoffCapMs: 100 });
    let down = false;
    h.server.onChunk = (call) =>
      down ? 'network-error' : (call.index === 2 || call.index === 3) && call.attempt === 1 ? 'hold' : undefined;
    const id = addOne(h, makeSource('a.bin', patternBytes(8 * KIB)));
    await until(() => h.file(id).bytesAcked === 2 * KIB && h.server.open.length === 2, 'two acknowledged, two held');
    down = true;
    for (const call of h.server.open) call.respond('network-error');
    await until(() => h.file(id).waiting === 'network', 'waiting for the network');
    const before = h.server.calls.length;

    await h.clock.advance(30_000);
    const probes = h.server.calls.slice(before);
    // One at a time (each failed at once), ever further apart up to the cap: a handful, not hundreds.
    expect(probes.length).toBeGreaterThan(5);
    expect(probes.length).toBeLessThan(25);
    const gaps = probes.slice(1).map((call, i) => call.at - (probes[i]?.at ?? 0));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(3000);
    expect(gaps.at(-1)).toBeGreaterThanOrEqual(1500);
    expect(gaps[0]).toBeLessThan(500);
    expect(h.file(id)).toMatchObject({ status: 'uploading', waiting: 'network', bytesAcked: 2 * KIB });

    down = false;
    await h.clock.advance(3000);
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
    expect(h.history.get(id)).not.toContain('failed');
    expectMonotonic(h, id);
  });

  it('the device coming back online resends at once the chunks that waited for the network', async () => {
    const h = setup({ concurrency: 1, backoffBaseMs: 20_000, backoffCapMs: 20_000 });
    let down = true;
    h.server.onChunk = () => (down ? 'network-error' : undefined);
    const id = addOne(h, makeSource('a.bin', patternBytes(KIB)));
    await until(() => h.server.calls[0]?.settled === true, 'first failure');
    // One failure: the chunk waits out its backoff (10 s with random() = 0.5).
    h.network.set(false);
    down = false;
    h.network.set(true);
    await until(() => h.server.calls.length === 2, 'resent');
    expect(h.server.calls[1]?.at).toBe(h.server.calls[0]?.at);
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
  });

  it('a file added while offline waits to open its upload, without failing', async () => {
    const h = setup({ maxAttempts: 1 });
    const open = h.server.openUpload.bind(h.server);
    h.server.openUpload = async (input) => {
      if (!h.network.isOnline()) throw new TypeError('Failed to fetch');
      return open(input);
    };
    h.network.set(false);
    const id = addOne(h, makeSource('a.bin', patternBytes(2 * KIB)));
    await settle(20);
    await h.clock.advance(10 * 60_000);
    expect(h.file(id)).toMatchObject({ status: 'preparing', waiting: 'offline' });
    h.network.set(true);
    // At once, not after the backoff the failed opens had reached.
    await until(() => h.server.opened.length === 1, 'opened');
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
  });

  it('an API answer while opening ends a network wait: the chunks do not wait for a probe', async () => {
    const h = setup({ concurrency: 2, probeBaseMs: 600_000, probeCapMs: 600_000, backoffCapMs: 100 });
    const open = h.server.openUpload.bind(h.server);
    let failures = 2;
    h.server.openUpload = async (input) => {
      if (failures-- > 0) throw new TypeError('Failed to fetch');
      return open(input);
    };
    const id = addOne(h, makeSource('a.bin', patternBytes(2 * KIB)));
    await until(() => failures === 1, 'first open failed');
    await h.clock.advance(60); // its backoff
    await until(() => h.file(id).waiting === 'network', 'waiting for the network');
    await h.clock.advance(60);
    await until(() => h.server.calls.length === 2, 'both chunks sent');
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
  });
});

describe('UploadEngine: refusals', () => {
  it('a 429 waits for Retry-After, spends no attempt and runs fewer requests at once', async () => {
    const h = setup({ concurrency: 2, maxAttempts: 1 });
    h.server.onChunk = (call) =>
      call.index === 0 && call.attempt <= 3 ? { status: 429, retryAfterSeconds: 5 } : undefined;
    // The fake transport answers without a body: tell the engine which limit fired.
    const put = h.server.put.bind(h.server);
    h.server.put = async (request) => {
      const response = await put(request);
      return response.status === 429 ? { ...response, code: 'too_many_requests' } : response;
    };
    const id = addOne(h, makeSource('a.bin', patternBytes(3 * KIB)));
    await until(() => h.server.callsFor(0).length === 1 && h.server.calls[0]?.settled === true, 'refused');
    for (let i = 0; i < 4; i++) await h.clock.advance(5000);
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
    const times = h.server.callsFor(0).map((call) => call.at);
    expect(times).toHaveLength(4);
    for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(5000);
    expect(h.engine.parallelism).toBe(1);
  });

  it('a 401 whose login session ended stops the file with a clear message and keeps it resumable', async () => {
    const h = setup({ concurrency: 1 });
    h.server.onChunk = (call) => {
      h.server.revokeTokens(call.uploadId);
      return undefined;
    };
    // The gateway refuses the renewal too (the app's silent refresh failed).
    h.server.onGetUpload = () => new ApiError(401, 'unauthenticated', 'session expired or revoked; sign in again');
    const id = addOne(h, makeSource('a.bin', patternBytes(3 * KIB)));
    await until(() => h.status(id) === 'failed', 'stopped');
    expect(h.file(id).error).toBe(SESSION_ENDED);
    await h.clock.advance(10 * 60_000);
    expect(h.server.calls).toHaveLength(1);
    expect(h.store.size).toBe(1);
  });
});

describe('UploadEngine: slow links', () => {
  // A short target keeps the manual clock's work small; the policy only sees ratios.
  const TARGET_MS = 6000;

  it('runs fewer chunks at once when they take longer than the target, down to one', async () => {
    const h = setup({ concurrency: 4, targetChunkMs: TARGET_MS, stallTimeoutMs: 600_000 });
    h.server.onChunk = () => 'hold';
    const id = addOne(h, makeSource('a.bin', patternBytes(10 * KIB)));
    await until(() => h.server.open.length === 4, 'four at once');
    expect(h.engine.parallelism).toBe(4);

    // Four chunks crawl: after a target period in flight, half as many may run.
    await h.clock.advance(7000);
    expect(h.engine.parallelism).toBe(2);
    // They are acknowledged after 15 s: at that speed one chunk alone still takes longer than the target.
    await h.clock.advance(8000);
    for (const call of h.server.open) call.respond();
    await until(() => h.file(id).bytesAcked === 4 * KIB, 'four acknowledged');
    expect(h.engine.parallelism).toBe(1);
    // From now on one at a time, each taking 9 s (more than the target): it stays at one.
    for (let chunk = 4; chunk < 10; chunk++) {
      await until(() => h.server.open.length === 1, `chunk ${chunk} alone`);
      await h.clock.advance(9000);
      expect(h.server.open).toHaveLength(1);
      h.server.open[0]?.respond();
      await until(() => h.file(id).bytesAcked === (chunk + 1) * KIB, `chunk ${chunk} acknowledged`);
    }
    expect(h.engine.parallelism).toBe(1);
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
  });

  it('raises the parallelism again step by step once acknowledgements come back fast', async () => {
    const h = setup({ concurrency: 4, targetChunkMs: TARGET_MS, stallTimeoutMs: 600_000 });
    h.server.onChunk = () => 'hold';
    const id = addOne(h, makeSource('a.bin', patternBytes(64 * KIB)));
    await until(() => h.server.open.length === 4, 'four at once');
    await h.clock.advance(24_000);
    for (const call of h.server.open) call.respond();
    await until(() => h.file(id).bytesAcked === 4 * KIB, 'four acknowledged slowly');
    expect(h.engine.parallelism).toBe(1);
    const limits: number[] = [];
    // From now on every request is answered a second after it was sent (a sixth of the target).
    for (let i = 0; i < 40 && h.file(id).bytesAcked < 64 * KIB; i++) {
      await until(() => h.server.open.length > 0, 'requests');
      expect(h.server.open.length).toBeLessThanOrEqual(h.engine.parallelism);
      await h.clock.advance(1000);
      for (const call of h.server.open) call.respond();
      await settle();
      limits.push(h.engine.parallelism);
    }
    // Never more than one step at a time, and back to the maximum.
    for (let i = 1; i < limits.length; i++) expect((limits[i] ?? 0) - (limits[i - 1] ?? 0)).toBeLessThanOrEqual(1);
    expect(limits.at(-1)).toBe(4);
  });
});

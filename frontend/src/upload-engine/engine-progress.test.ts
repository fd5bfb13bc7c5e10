import { describe, expect, it } from 'vitest';
import { settle, until } from '../../test/support/clock.ts';
import { addOne, KIB, setup } from '../../test/support/engine-harness.ts';
import { makeSource, patternBytes } from '../../test/support/sources.ts';

describe('UploadEngine: snapshots and progress', () => {
  it('keeps the snapshot reference until something changes', async () => {
    const h = setup();
    const empty = h.engine.getSnapshot();
    expect(empty).toEqual({
      files: [],
      totalBytes: 0,
      bytesAcked: 0,
      bytesInFlight: 0,
      pausedBytes: 0,
      percent: 0,
      speedBytesPerSecond: 0,
      etaSeconds: null,
    });
    expect(h.engine.getSnapshot()).toBe(empty);
    h.server.onChunk = () => 'hold';
    const id = addOne(h, makeSource('a.bin', patternBytes(4 * KIB)));
    const added = h.engine.getSnapshot();
    expect(added).not.toBe(empty);
    expect(Object.isFrozen(added)).toBe(true);
    await until(() => h.server.open.length === 2, 'requests');
    const uploading = h.engine.getSnapshot();
    expect(uploading.files[0]?.status).toBe('uploading');
    await settle();
    expect(h.engine.getSnapshot()).toBe(uploading);
    expect(h.status(id)).toBe('uploading');
  });

  it('throttles progress notifications to one per 100 ms; status changes notify at once', async () => {
    const h = setup({ concurrency: 1 });
    h.server.onChunk = () => 'hold';
    const id = addOne(h, makeSource('a.bin', patternBytes(4 * KIB)));
    await until(() => h.server.open.length === 1, 'request');
    const call = h.server.open[0];
    const before = h.notifications;
    const snapshot = h.engine.getSnapshot();

    call?.onProgress(100);
    call?.onProgress(200);
    call?.onProgress(300);
    expect(h.notifications).toBe(before);
    expect(h.engine.getSnapshot()).toBe(snapshot);

    await h.clock.advance(100);
    expect(h.notifications).toBe(before + 1);
    expect(h.file(id).bytesInFlight).toBe(300);

    call?.onProgress(400);
    expect(h.notifications).toBe(before + 1);
    h.engine.pause(id);
    expect(h.notifications).toBe(before + 2);
    expect(h.status(id)).toBe('paused');
  });

  it('counts only acknowledged bytes in progress and speed; bytes in flight are shown apart and dropped on a retry', async () => {
    const h = setup({ concurrency: 1, stallTimeoutMs: 60_000 });
    h.server.onChunk = () => 'hold';
    const id = addOne(h, makeSource('a.bin', patternBytes(4 * KIB)));
    await until(() => h.server.open.length === 1, 'request');
    const startedAt = h.clock.now();
    const first = h.server.open[0];
    await h.clock.advance(1000);
    first?.onProgress(1000);
    await h.clock.advance(100);
    expect(h.file(id)).toMatchObject({
      bytesAcked: 0,
      bytesInFlight: 1000,
      percent: 0,
      speedBytesPerSecond: 0,
      etaSeconds: null,
    });

    first?.respond({ status: 503 });
    await until(() => first?.settled === true, 'answered');
    await h.clock.advance(100); // past the 50 ms backoff
    expect(h.file(id)).toMatchObject({ bytesAcked: 0, bytesInFlight: 0 });
    await until(() => h.server.open.length === 1, 'resent');
    const second = h.server.open[0];
    second?.onProgress(KIB);
    await h.clock.advance(900);
    second?.respond();
    await until(() => h.server.open.length === 1 && h.server.open[0] !== second, 'next chunk');
    await h.clock.advance(900); // to the next once-a-second refresh
    const file = h.file(id);
    expect(file).toMatchObject({ bytesAcked: KIB, bytesInFlight: 0, percent: 25 });
    // One chunk acknowledged since sending started.
    expect(file.speedBytesPerSecond).toBe(Math.round((KIB * 1000) / (h.clock.now() - startedAt)));
    expect(file.etaSeconds).toBe(Math.ceil((3 * KIB) / file.speedBytesPerSecond));
    // The overall speed is the files' speeds smoothed (overall-rate.test.ts): moving, not yet equal.
    expect(h.engine.getSnapshot().bytesAcked).toBe(KIB);
    expect(h.engine.getSnapshot().speedBytesPerSecond).toBeGreaterThan(0);

    // Smoothed: with no acknowledgement for a while the speed decays, it does not drop to 0.
    await h.clock.advance(6000);
    const later = h.file(id).speedBytesPerSecond;
    expect(later).toBe(Math.round((KIB * 1000) / (h.clock.now() - startedAt)));
    expect(later).toBeGreaterThan(0);
    expect(later).toBeLessThan(file.speedBytesPerSecond);
  });

  it('dispose aborts requests and clears every timer', async () => {
    const h = setup();
    h.server.onChunk = () => 'hold';
    addOne(h, makeSource('a.bin', patternBytes(4 * KIB)));
    await until(() => h.server.open.length === 2, 'requests');
    const open = h.server.open;
    h.engine.dispose();
    expect(open.every((c) => c.signal.aborted)).toBe(true);
    expect(h.clock.pendingDelays()).toEqual([]);
    await settle();
    expect(h.server.calls).toHaveLength(2);
    expect(() => h.engine.add([makeSource('b.bin', patternBytes(1))])).toThrow(/disposed/);
  });
});

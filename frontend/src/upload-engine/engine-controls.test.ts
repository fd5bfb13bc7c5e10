import { describe, expect, it } from 'vitest';
import { settle, until } from '../../test/support/clock.ts';
import { addOne, finishProcessing, KIB, setup } from '../../test/support/engine-harness.ts';
import { makeSource, patternBytes } from '../../test/support/sources.ts';

describe('UploadEngine: pause, resume, cancel', () => {
  it('pause aborts requests in flight and sends nothing more; resume finishes the file', async () => {
    // maxAttempts 1: a pause abort counted as a failed attempt would fail the file.
    const h = setup({ concurrency: 2, maxAttempts: 1 });
    h.server.onChunk = (call) => (call.index < 2 && call.attempt === 1 ? 'hold' : undefined);
    const id = addOne(h, makeSource('a.bin', patternBytes(6 * KIB)));
    await until(() => h.server.open.length === 2, 'two requests');
    const first = h.server.open;
    first[0]?.onProgress(512);
    await h.clock.advance(100);
    // Sent, not acknowledged: shown apart, the bar does not move.
    expect(h.file(id)).toMatchObject({ bytesAcked: 0, bytesInFlight: 512, percent: 0 });

    h.engine.pause(id);
    expect(h.status(id)).toBe('paused');
    expect(first.every((call) => call.signal.aborted)).toBe(true);
    await until(() => h.server.open.length === 0, 'aborts settle');
    await h.clock.advance(60_000);
    expect(h.server.calls).toHaveLength(2);
    expect(h.status(id)).toBe('paused');
    expect(h.file(id)).toMatchObject({ bytesAcked: 0, bytesInFlight: 0 });

    h.engine.resume(id);
    expect(h.status(id)).toBe('uploading');
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
    const upload = h.server.only();
    expect([...upload.received.values()]).toEqual([1, 1, 1, 1, 1, 1]);
    // The two held requests (chunks 0 and 1, hashed in parallel, so sent in either order) were aborted.
    expect(
      h.server.calls
        .filter((c) => c.aborted)
        .map((c) => c.index)
        .sort(),
    ).toEqual([0, 1]);
    expect(h.server.calls).toHaveLength(8);
  });

  it('pauses a queued file before it starts, and pause()/resume() without id apply to all', async () => {
    const h = setup({ concurrency: 1 });
    const [a, b] = h.engine.add([makeSource('a.bin', patternBytes(KIB, 1)), makeSource('b.bin', patternBytes(KIB, 2))]);
    if (!a || !b) throw new Error('ids');
    expect(h.status(b)).toBe('queued');
    h.engine.pause(b);
    expect(h.status(b)).toBe('paused');
    await finishProcessing(h, a);
    await h.clock.advance(5000);
    expect(h.status(a)).toBe('completed');
    expect(h.status(b)).toBe('paused');
    expect(h.server.opened).toHaveLength(1);

    h.engine.resume();
    expect(h.status(b)).toBe('preparing');
    await finishProcessing(h, b);
    expect(h.status(b)).toBe('completed');
  });

  it('cancel aborts the requests, cancels the server upload and forgets it', async () => {
    const h = setup({ concurrency: 2 });
    h.server.onChunk = () => 'hold';
    const id = addOne(h, makeSource('a.bin', patternBytes(6 * KIB)));
    await until(() => h.server.open.length === 2, 'two requests');
    const open = h.server.open;
    expect(h.store.size).toBe(1);

    h.engine.cancel(id);
    expect(h.status(id)).toBe('cancelled');
    expect(open.every((call) => call.signal.aborted)).toBe(true);
    await until(() => h.server.cancelled.length === 1 && h.store.size === 0, 'cancel and forget');
    expect(h.server.cancelled).toEqual([h.server.only().uploadId]);
    await h.clock.advance(60_000);
    expect(h.server.calls).toHaveLength(2);
    // Cancelled files do not count in the totals.
    expect(h.engine.getSnapshot()).toMatchObject({ totalBytes: 0, bytesAcked: 0 });

    h.engine.remove(id);
    expect(h.engine.getSnapshot().files).toEqual([]);
  });

  it('a chunk waiting out its backoff is resent at once on resume, the failed attempt still counted', async () => {
    const h = setup({ concurrency: 1, maxAttempts: 2, backoffBaseMs: 10_000, backoffCapMs: 10_000 });
    h.server.onChunk = (call) => (call.attempt === 1 ? { status: 503 } : undefined);
    const id = addOne(h, makeSource('a.bin', patternBytes(100)));
    await until(() => h.server.calls[0]?.settled === true, 'first attempt');
    h.engine.pause(id);
    await h.clock.advance(60_000);
    expect(h.server.calls).toHaveLength(1);
    h.engine.resume(id);
    await until(() => h.server.calls.length === 2, 'resent');
    expect(h.clock.now() - (h.server.calls[0]?.at ?? 0)).toBe(60_000);
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
  });

  it('cancel() without an id cancels every unfinished file and leaves finished ones alone', async () => {
    const h = setup({ concurrency: 1 });
    const [a] = h.engine.add([makeSource('a.bin', patternBytes(KIB, 1))]);
    if (!a) throw new Error('id');
    await finishProcessing(h, a);
    h.server.onChunk = () => 'hold';
    const [b, c] = h.engine.add([makeSource('b.bin', patternBytes(KIB, 2)), makeSource('c.bin', patternBytes(KIB, 3))]);
    if (!b || !c) throw new Error('ids');
    await until(() => h.server.open.length === 1, 'b sending');
    h.engine.cancel();
    expect([a, b, c].map((id) => h.status(id))).toEqual(['completed', 'cancelled', 'cancelled']);
    const uploadOf = (id: string) => h.server.uploads.get(h.file(id).uploadId ?? '');
    await until(() => uploadOf(b)?.status === 'cancelled', 'server cancel');
    await settle(20);
    // c was being prepared (b's only chunk was in flight): if it opened an upload, that one is cancelled too.
    expect([undefined, 'cancelled']).toContain(uploadOf(c)?.status);
    expect(uploadOf(a)?.status).toBe('completed');

    h.engine.remove(a);
    expect(h.engine.getSnapshot().files.map((f) => f.id)).toEqual([b, c]);
  });

  it('remove() leaves files that are still running', async () => {
    const h = setup();
    h.server.onChunk = () => 'hold';
    const id = addOne(h, makeSource('a.bin', patternBytes(KIB)));
    await until(() => h.server.open.length === 1, 'sending');
    h.engine.remove(id);
    expect(h.status(id)).toBe('uploading');
  });

  it('cancelling while preparing opens nothing', async () => {
    const h = setup();
    const id = addOne(h, makeSource('a.bin', patternBytes(KIB)));
    expect(h.status(id)).toBe('preparing');
    h.engine.cancel(id);
    expect(h.status(id)).toBe('cancelled');
    await settle(20);
    expect(h.server.opened).toEqual([]);
    expect(h.server.calls).toEqual([]);
  });

  it('retries an open whose answer was lost with the same idempotency key: one upload on the server', async () => {
    const h = setup();
    const open = h.server.openUpload.bind(h.server);
    let attempts = 0;
    h.server.openUpload = async (input) => {
      attempts += 1;
      const plan = await open(input);
      // The first attempt reaches the server, but its answer never arrives.
      if (attempts === 1) throw new TypeError('network error');
      return plan;
    };
    const id = addOne(h, makeSource('a.bin', patternBytes(2 * KIB)));
    await until(() => attempts === 1, 'first open');
    await settle();
    await h.clock.advance(60_000); // past the retry's backoff
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
    const keys = h.server.opened.map((o) => o.idempotencyKey);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);
    expect(h.server.only().status).toBe('completed');
    // Another file gets a key of its own.
    const other = addOne(h, makeSource('b.bin', patternBytes(KIB)));
    await finishProcessing(h, other);
    expect(h.server.opened.at(-1)?.idempotencyKey).not.toBe(keys[0]);
  });

  it('cancels an upload that was being opened when the file was cancelled, ignoring cancel failures', async () => {
    const h = setup();
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const open = h.server.openUpload.bind(h.server);
    let opening = false;
    h.server.openUpload = async (input) => {
      opening = true;
      await gate;
      return open(input);
    };
    const cancel = h.server.cancelUpload.bind(h.server);
    h.server.cancelUpload = async (uploadId) => {
      await cancel(uploadId);
      throw new Error('offline');
    };
    const id = addOne(h, makeSource('a.bin', patternBytes(KIB)));
    await until(() => opening, 'opening');
    expect(h.status(id)).toBe('preparing');
    h.engine.cancel(id);
    release();
    await until(() => h.server.cancelled.length === 1, 'cancel call');
    await settle();
    expect(h.status(id)).toBe('cancelled');
    expect(h.server.only().status).toBe('cancelled');
    expect(h.server.calls).toHaveLength(0);
    expect(h.store.size).toBe(0);
  });
});

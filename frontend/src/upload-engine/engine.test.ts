import { describe, expect, it } from 'vitest';
import { addOne, finishProcessing, type Harness, KIB, POLL_MS, setup, sha256Of } from './engine-harness.ts';
import { fingerprint } from './fingerprint.ts';
import { subtleHasher } from './sha256.ts';
import { makeSource, patternBytes, settle, until } from './test-support.ts';

describe('UploadEngine: happy path', () => {
  it('sends every chunk exactly once, then completes after the processing polls', async () => {
    const h = setup();
    const source = makeSource('report.pdf', patternBytes(5 * KIB + 100), { type: 'application/pdf' });
    const id = addOne(h, source);

    await until(() => h.status(id) === 'processing', 'processing');
    const upload = h.server.only();
    expect(h.server.opened).toEqual([
      {
        fileName: 'report.pdf',
        size: 5 * KIB + 100,
        contentType: 'application/pdf',
        idempotencyKey: expect.any(String),
      },
    ]);
    expect(upload.totalChunks).toBe(6);
    expect([...upload.received.entries()].sort((a, b) => a[0] - b[0])).toEqual([0, 1, 2, 3, 4, 5].map((i) => [i, 1]));
    expect(h.server.calls).toHaveLength(6);
    // While processing, the resume entry is kept (a reload can still find the upload).
    expect(h.store.size).toBe(1);

    await finishProcessing(h, id);
    const file = h.file(id);
    expect(file).toMatchObject({
      status: 'completed',
      uploadId: upload.uploadId,
      fileId: `file-of-${upload.uploadId}`,
      bytesAcked: source.size,
      bytesInFlight: 0,
      percent: 100,
      resumedChunks: 0,
    });
    expect(file.error).toBeUndefined();
    expect(h.history.get(id)).toEqual(['preparing', 'uploading', 'processing', 'completed']);
    expect(h.store.size).toBe(0);
    expect(h.engine.getSnapshot()).toMatchObject({ totalBytes: source.size, bytesAcked: source.size, percent: 100 });
  });

  it('slices chunks (never the whole file) and sends the SHA-256 of each chunk', async () => {
    const h = setup({}, 16 * KIB);
    const bytes = patternBytes(200 * KIB + 7);
    const source = makeSource('big.bin', bytes);
    const id = addOne(h, source);
    await until(() => h.status(id) === 'processing', 'processing');

    expect(Math.max(...source.slices.map(([start, end]) => end - start))).toBeLessThanOrEqual(64 * KIB);
    const chunkSlices = source.slices.filter(([start, end]) => end - start !== 64 * KIB);
    expect(chunkSlices).toContainEqual([12 * 16 * KIB, 200 * KIB + 7]);
    for (const call of h.server.calls) {
      const start = call.index * 16 * KIB;
      expect(call.sha256).toBe(await sha256Of(bytes.slice(start, start + call.size)));
    }
  });

  it('uploads an empty file as one empty chunk', async () => {
    const h = setup();
    const id = addOne(h, makeSource('empty.txt', new Uint8Array(0), { type: '' }));
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
    expect(h.server.opened).toEqual([
      { fileName: 'empty.txt', size: 0, contentType: undefined, idempotencyKey: expect.any(String) },
    ]);
    expect(h.server.calls.map((c) => c.size)).toEqual([0]);
  });
});

describe('UploadEngine: concurrency', () => {
  it('never has more chunk requests in flight than the limit, across files in order', async () => {
    const h = setup({ concurrency: 3 });
    h.server.onChunk = () => 'hold';
    const sizes = [4 * KIB, 3 * KIB, 5 * KIB - 10];
    const ids = h.engine.add(sizes.map((size, i) => makeSource(`f${i}.bin`, patternBytes(size, i))));
    const total = 4 + 3 + 5;
    let sawTwoUploadsAtOnce = false;
    let delivered = 0;

    while (delivered < total) {
      const remaining = total - delivered;
      await until(() => h.server.open.length === Math.min(3, remaining), `open requests (${remaining} left)`);
      expect(h.server.inFlight).toBeLessThanOrEqual(3);
      if (new Set(h.server.open.map((c) => c.uploadId)).size > 1) sawTwoUploadsAtOnce = true;
      h.server.open[0]?.respond();
      delivered++;
      await settle(2);
    }

    expect(h.server.maxInFlight).toBe(3);
    expect(sawTwoUploadsAtOnce).toBe(true);
    // Files start in order: the first request of each upload follows the previous file's first.
    const firstCall = [...h.server.uploads.keys()].map((uploadId) =>
      h.server.calls.findIndex((c) => c.uploadId === uploadId),
    );
    expect(firstCall).toEqual([...firstCall].sort((a, b) => a - b));
    expect(h.server.opened.map((o) => o.fileName)).toEqual(['f0.bin', 'f1.bin', 'f2.bin']);
    for (const id of ids) await finishProcessing(h, id);
    expect(ids.map((id) => h.status(id))).toEqual(['completed', 'completed', 'completed']);
  });
});

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

describe('UploadEngine: resume across reloads', () => {
  it('sends only the chunks the server is missing', async () => {
    const h = setup({ concurrency: 2 });
    const source = makeSource('movie.mkv', patternBytes(4 * KIB - 1));
    const upload = h.server.createUpload({ fileName: source.name, size: source.size });
    upload.received.set(0, 1).set(2, 1);
    await h.store.put(await fingerprint(source, subtleHasher), { uploadId: upload.uploadId, savedAt: h.clock.now() });

    const id = addOne(h, source);
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
    expect(h.server.opened).toEqual([]);
    expect(h.server.calls.map((c) => c.index).sort()).toEqual([1, 3]);
    expect(h.file(id)).toMatchObject({ resumedChunks: 2, uploadId: upload.uploadId, bytesAcked: source.size });
    expect([...upload.received.values()]).toEqual([1, 1, 1, 1]);
  });

  it('counts resumed bytes as acknowledged', async () => {
    const h = setup({ concurrency: 1 });
    h.server.onChunk = () => 'hold';
    const source = makeSource('a.bin', patternBytes(4 * KIB));
    const upload = h.server.createUpload({ fileName: source.name, size: source.size });
    upload.received.set(0, 1).set(1, 1).set(2, 1);
    await h.store.put(await fingerprint(source, subtleHasher), { uploadId: upload.uploadId, savedAt: h.clock.now() });
    const id = addOne(h, source);
    await until(() => h.server.open.length === 1, 'request');
    expect(h.file(id)).toMatchObject({ bytesAcked: 3 * KIB, percent: 75, resumedChunks: 3 });
  });

  it.each([
    [
      'completed',
      (h: Harness, uploadId: string) => Object.assign(h.server.uploads.get(uploadId) ?? {}, { status: 'completed' }),
    ],
    [
      'expired',
      (h: Harness, uploadId: string) => Object.assign(h.server.uploads.get(uploadId) ?? {}, { status: 'expired' }),
    ],
    ['unknown', (h: Harness, uploadId: string) => h.server.uploads.delete(uploadId)],
  ])('opens a new upload when the remembered one is %s', async (_label, change) => {
    const h = setup();
    const source = makeSource('a.bin', patternBytes(2 * KIB));
    const old = h.server.createUpload({ fileName: source.name, size: source.size });
    change(h, old.uploadId);
    const key = await fingerprint(source, subtleHasher);
    await h.store.put(key, { uploadId: old.uploadId, savedAt: h.clock.now() });

    const id = addOne(h, source);
    await until(() => h.status(id) === 'processing', 'processing');
    expect(h.server.opened).toHaveLength(1);
    const fresh = h.file(id).uploadId;
    expect(fresh).not.toBe(old.uploadId);
    expect((await h.store.get(key))?.uploadId).toBe(fresh);
    expect(h.file(id).resumedChunks).toBe(0);
  });
});

describe('UploadEngine: token renewal', () => {
  it('renews the token on a 401 and resends with the new one', async () => {
    const h = setup({ concurrency: 1 });
    h.server.onChunk = (call) => {
      if (call.index === 1 && call.attempt === 1) h.server.revokeTokens(call.uploadId);
      return undefined;
    };
    const id = addOne(h, makeSource('a.bin', patternBytes(3 * KIB)));
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
    const tokens = h.server.calls.map((c) => [c.index, c.token]);
    expect(tokens).toEqual([
      [0, 'token-1'],
      [1, 'token-1'],
      [1, 'token-2'],
      [2, 'token-2'],
    ]);
    expect(h.server.lookups.filter((l) => l === h.server.only().uploadId).length).toBeGreaterThanOrEqual(1);
  });

  it('fails after two renewals in a row are refused', async () => {
    const h = setup({ concurrency: 1 });
    h.server.onChunk = (call) => {
      h.server.revokeTokens(call.uploadId);
      return undefined;
    };
    const id = addOne(h, makeSource('a.bin', patternBytes(KIB)));
    await until(() => h.status(id) === 'failed', 'failed');
    expect(h.server.calls).toHaveLength(3);
    expect(h.file(id).error).toMatch(/token/);
  });
});

describe('UploadEngine: processing', () => {
  it('fails the file when the server reports the assembly failed', async () => {
    const h = setup();
    h.server.assemblyResult = { status: 'failed', failureReason: 'a part is missing in storage' };
    const id = addOne(h, makeSource('a.bin', patternBytes(2 * KIB)));
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('failed');
    expect(h.file(id).error).toBe('a part is missing in storage');
    expect(h.store.size).toBe(0);
  });

  it('keeps polling through transient errors', async () => {
    const h = setup();
    let failures = 3;
    h.server.onGetUpload = () => (failures-- > 0 ? new TypeError('network error') : undefined);
    const id = addOne(h, makeSource('a.bin', patternBytes(2 * KIB)));
    await until(() => h.status(id) === 'processing', 'processing');
    for (let i = 0; i < 20 && h.status(id) === 'processing'; i++) await h.clock.advance(POLL_MS);
    expect(h.status(id)).toBe('completed');
    expect(failures).toBeLessThan(0);
  });
});

import { describe, expect, it } from 'vitest';
import { settle, until } from '../../test/support/clock.ts';
import { addOne, finishProcessing, KIB, POLL_MS, setup, sha256Of } from '../../test/support/engine-harness.ts';
import { makeSource, patternBytes } from '../../test/support/sources.ts';

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

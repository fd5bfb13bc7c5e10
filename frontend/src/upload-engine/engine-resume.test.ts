import { describe, expect, it } from 'vitest';
import { until } from '../../test/support/clock.ts';
import { addOne, finishProcessing, type Harness, KIB, setup } from '../../test/support/engine-harness.ts';
import { makeSource, patternBytes } from '../../test/support/sources.ts';
import { fingerprint } from './fingerprint.ts';
import { subtleHasher } from './sha256.ts';

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

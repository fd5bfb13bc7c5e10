import { describe, expect, it } from 'vitest';
import { gate, settle, until } from '../../test/support/clock.ts';
import { addOne, finishProcessing, KIB, setup, sha256HexOf } from '../../test/support/engine-harness.ts';
import { makeSource, patternBytes } from '../../test/support/sources.ts';
import { TEST_FILE_SLICE_BYTES } from '../../test/support/test-hasher.ts';
import { fingerprint } from './fingerprint.ts';
import { subtleHasher } from './sha256.ts';
import { FILE_CHANGED } from './sha256-declaration.ts';
import { CHECKSUM_MISMATCH } from './task-lifecycle.ts';
import { ApiError, type TransferMode } from './types.ts';

describe.each<TransferMode>(['relay', 'direct'])('UploadEngine: the whole-file SHA-256 over %s transfer', (mode) => {
  it('holds the last chunk back until the SHA-256 is declared, so the set cannot complete before', async () => {
    const h = setup({ concurrency: 2 }, KIB, mode);
    h.hasher.hold();
    const bytes = patternBytes(4 * KIB);
    const events: string[] = [];
    h.server.onChunk = (call) => {
      events.push(`chunk ${call.index}`);
      return undefined;
    };
    h.server.beforeApi = (call) => {
      if (call.op === 'declare') events.push('declare');
      return undefined;
    };
    const id = addOne(h, makeSource('a.bin', bytes));
    await until(() => h.file(id).bytesAcked === 3 * KIB, 'three chunks acknowledged');
    await h.clock.advance(60_000);
    // The rest is sent and acknowledged; the last waits, the file is not done.
    expect(h.file(id)).toMatchObject({ status: 'uploading', bytesAcked: 3 * KIB, bytesInFlight: 0 });
    // Two lanes: chunks 0 and 1 leave in whichever order their hashes finish.
    expect([...events].sort()).toEqual(['chunk 0', 'chunk 1', 'chunk 2']);
    expect(h.server.only().status).toBe('uploading');

    h.hasher.release();
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
    expect(events.slice(0, 3).sort()).toEqual(['chunk 0', 'chunk 1', 'chunk 2']);
    expect(events.slice(3)).toEqual(['declare', 'chunk 3']);
    expect(h.server.only().sha256).toBe(await sha256HexOf(bytes));
  });

  it('while the declaration itself waits for the server, the last chunk waits too', async () => {
    const h = setup({ concurrency: 1 }, KIB, mode);
    const declared = gate();
    h.server.beforeApi = (call) => (call.op === 'declare' ? declared.wait : undefined);
    const id = addOne(h, makeSource('a.bin', patternBytes(2 * KIB)));
    await until(() => h.file(id).bytesAcked === KIB && h.server.apiCallsOf('declare').length === 1, 'declaring');
    await settle(10);
    expect(h.server.callsFor(1)).toEqual([]);
    declared.open();
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
  });
});

describe('UploadEngine: the whole-file SHA-256', () => {
  it('reads the file in slices for the hash, never whole', async () => {
    const h = setup({}, 16 * KIB);
    const source = makeSource('big.bin', patternBytes(200 * KIB + 7));
    const id = addOne(h, source);
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
    const hashSlices = source.slices.filter(
      ([start, end]) => end - start === TEST_FILE_SLICE_BYTES && start % TEST_FILE_SLICE_BYTES === 0,
    );
    expect(hashSlices.length).toBeGreaterThanOrEqual(12);
    expect(Math.max(...source.slices.map(([start, end]) => end - start))).toBeLessThan(source.size);
  });

  it('retries a declaration refused with 503 after a backoff', async () => {
    const h = setup({ maxAttempts: 4 });
    let failures = 2;
    h.server.beforeApi = (call) =>
      call.op === 'declare' && failures-- > 0 ? new ApiError(503, 'unavailable', 'try later') : undefined;
    const id = addOne(h, makeSource('a.bin', patternBytes(2 * KIB)));
    for (let i = 0; i < 10 && h.server.apiCallsOf('declare').length < 3; i++) await h.clock.advance(1000);
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
    expect(h.server.apiCallsOf('declare')).toHaveLength(3);
  });

  it('uploads unverified when this browser cannot hash the file', async () => {
    const h = setup();
    h.hasher.fileFailure = new Error('WebAssembly.instantiate(): refused by the Content Security Policy');
    const id = addOne(h, makeSource('a.bin', patternBytes(3 * KIB)));
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
    expect(h.server.apiCallsOf('declare')).toEqual([]);
  });

  it('declares nothing to a server that predates whole-file verification', async () => {
    const h = setup({}, KIB, 'none');
    const id = addOne(h, makeSource('a.bin', patternBytes(3 * KIB)));
    await finishProcessing(h, id);
    expect(h.file(id)).toMatchObject({ status: 'completed', transfer: 'relay' });
    expect(h.hasher.fileHashes).toBe(0);
    expect(h.server.apiCalls).toEqual([]);
  });

  it('a resumed upload that holds another SHA-256 stops the file, cancels the upload and forgets it', async () => {
    const h = setup();
    const source = makeSource('a.bin', patternBytes(3 * KIB));
    const upload = h.server.createUpload({ fileName: source.name, size: source.size });
    upload.sha256 = '0'.repeat(64);
    upload.received.set(0, 1);
    await h.store.put(await fingerprint(source, subtleHasher), { uploadId: upload.uploadId, savedAt: h.clock.now() });
    const id = addOne(h, source);
    await until(() => h.status(id) === 'failed', 'failed');
    expect(h.file(id).error).toBe(FILE_CHANGED);
    await until(() => h.server.cancelled.length === 1 && h.store.size === 0, 'cancelled and forgotten');
    expect(h.server.callsFor(2)).toEqual([]);
  });

  it('says in plain words when the server found the assembled file differs from the declared SHA-256', async () => {
    const h = setup({}, KIB, 'direct');
    h.server.assemblyResult = {
      status: 'failed',
      failureReason: 'sha256 mismatch: declared 00…, assembled 11…',
      failureCode: 'checksum_mismatch',
    };
    const id = addOne(h, makeSource('a.bin', patternBytes(2 * KIB)));
    await finishProcessing(h, id);
    expect(h.file(id)).toMatchObject({ status: 'failed', error: CHECKSUM_MISMATCH });
    expect(h.store.size).toBe(0);
  });

  it('cancelling while the file is hashed stops the hashing and declares nothing', async () => {
    const h = setup({ concurrency: 1 });
    h.hasher.hold();
    h.server.onChunk = () => 'hold';
    const id = addOne(h, makeSource('a.bin', patternBytes(3 * KIB)));
    await until(() => h.server.open.length === 1 && h.hasher.fileHashes === 1, 'sending and hashing');
    h.engine.cancel(id);
    h.hasher.release();
    await settle(20);
    expect(h.status(id)).toBe('cancelled');
    expect(h.server.apiCallsOf('declare')).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { gate, settle, until } from '../../test/support/clock.ts';
import { addOne, finishProcessing, KIB, setup, sha256HexOf } from '../../test/support/engine-harness.ts';
import { makeSource, patternBytes } from '../../test/support/sources.ts';
import { fingerprint } from './fingerprint.ts';
import { subtleHasher } from './sha256.ts';
import type { TransferMode } from './types.ts';

describe.each<TransferMode>(['relay', 'direct'])('UploadEngine over %s transfer', (mode) => {
  it('sends every chunk once through the mode the server chose, declares the SHA-256 and completes', async () => {
    const h = setup({ concurrency: 3 }, KIB, mode);
    const bytes = patternBytes(5 * KIB + 100);
    const id = addOne(h, makeSource('a.bin', bytes));
    await finishProcessing(h, id);
    expect(h.file(id)).toMatchObject({ status: 'completed', transfer: mode, bytesAcked: bytes.length, percent: 100 });
    const upload = h.server.only();
    expect(h.server.calls.every((call) => call.mode === mode)).toBe(true);
    expect(h.server.calls.map((call) => call.index).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...upload.received.values()]).toEqual([1, 1, 1, 1, 1, 1]);
    expect(upload.sha256).toBe(await sha256HexOf(bytes));
    if (mode === 'direct') {
      expect(
        h.server
          .apiCallsOf('sign')
          .flatMap((call) => call.indexes)
          .sort(),
      ).toEqual([0, 1, 2, 3, 4, 5]);
      expect(
        h.server
          .apiCallsOf('confirm')
          .flatMap((call) => call.indexes)
          .sort(),
      ).toEqual([0, 1, 2, 3, 4, 5]);
    } else expect(h.server.apiCallsOf('sign')).toEqual([]);
  });

  it('pause stops the requests in flight; resume finishes the file', async () => {
    const h = setup({ concurrency: 2, maxAttempts: 1 }, KIB, mode);
    h.server.onChunk = (call) => (call.index < 2 && call.attempt === 1 ? 'hold' : undefined);
    const id = addOne(h, makeSource('a.bin', patternBytes(4 * KIB)));
    await until(() => h.server.open.length === 2, 'two requests');
    const held = h.server.open;
    h.engine.pause(id);
    expect(held.every((call) => call.signal.aborted)).toBe(true);
    await h.clock.advance(60_000);
    expect(h.server.calls).toHaveLength(2);
    h.engine.resume(id);
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
    expect([...h.server.only().received.values()]).toEqual([1, 1, 1, 1]);
  });

  it('resumes after a reload in the mode the upload was opened with, sending only what the server lacks', async () => {
    const h = setup({ concurrency: 2 }, KIB, mode === 'direct' ? 'relay' : 'direct');
    const source = makeSource('movie.mkv', patternBytes(4 * KIB - 1));
    const upload = h.server.createUpload({ fileName: source.name, size: source.size, transfer: mode });
    upload.received.set(0, 1).set(2, 1);
    await h.store.put(await fingerprint(source, subtleHasher), { uploadId: upload.uploadId, savedAt: h.clock.now() });
    const id = addOne(h, source);
    await finishProcessing(h, id);
    expect(h.file(id)).toMatchObject({ status: 'completed', transfer: mode, resumedChunks: 2 });
    expect(h.server.opened).toEqual([]);
    expect(h.server.calls.map((call) => [call.index, call.mode]).sort()).toEqual([
      [1, mode],
      [3, mode],
    ]);
  });

  it('cancel stops the requests and cancels the server upload', async () => {
    const h = setup({ concurrency: 2 }, KIB, mode);
    h.server.onChunk = () => 'hold';
    const id = addOne(h, makeSource('a.bin', patternBytes(6 * KIB)));
    await until(() => h.server.open.length === 2, 'two requests');
    const open = h.server.open;
    h.engine.cancel(id);
    expect(open.every((call) => call.signal.aborted)).toBe(true);
    await until(() => h.server.cancelled.length === 1 && h.store.size === 0, 'cancelled and forgotten');
    await h.clock.advance(60_000);
    expect(h.server.calls).toHaveLength(2);
    expect(h.server.only().status).toBe('cancelled');
  });
});

describe('UploadEngine over direct transfer', () => {
  it('counts a part as acknowledged when the server confirmed it, not when storage answered 200', async () => {
    const h = setup({ concurrency: 1 }, KIB, 'direct');
    const confirmation = gate();
    h.server.beforeApi = (call) => (call.op === 'confirm' && call.indexes?.includes(0) ? confirmation.wait : undefined);
    const id = addOne(h, makeSource('a.bin', patternBytes(2 * KIB)));
    await until(() => h.server.apiCallsOf('confirm').length === 1, 'confirming');
    await settle();
    expect(h.server.calls[0]?.settled).toBe(true);
    expect(h.file(id)).toMatchObject({ bytesAcked: 0, percent: 0 });
    confirmation.open();
    await until(() => h.file(id).bytesAcked >= KIB, 'acknowledged');
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
  });

  it('sends a part again when its confirmation is refused (409 aborted), and completes', async () => {
    const h = setup({ concurrency: 1 }, KIB, 'direct');
    let lost = false;
    h.server.beforeApi = (call) => {
      if (call.op === 'confirm' && call.indexes?.includes(1) && !lost) {
        lost = true;
        h.server.only().stored.delete(1);
      }
      return undefined;
    };
    const id = addOne(h, makeSource('a.bin', patternBytes(3 * KIB)));
    await until(() => lost, 'confirmation refused');
    // Past the backoff of the counted attempt.
    for (let i = 0; i < 10 && h.status(id) === 'uploading'; i++) await h.clock.advance(1000);
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
    expect(h.server.callsFor(1)).toHaveLength(2);
    expect([...h.server.only().received.values()]).toEqual([1, 1, 1]);
  });

  it('a URL refused by storage (403) is signed again and the part still arrives', async () => {
    const h = setup({ concurrency: 1, maxAttempts: 1 }, KIB, 'direct');
    h.server.onChunk = (call) => (call.attempt === 1 ? { status: 403 } : undefined);
    const id = addOne(h, makeSource('a.bin', patternBytes(2 * KIB)));
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
    expect(h.server.apiCallsOf('sign')).toHaveLength(4);
  });

  it('a confirmation that says the set is complete ends sending, even with chunks this page has not sent', async () => {
    const h = setup({ concurrency: 1 }, KIB, 'direct');
    h.server.beforeApi = (call) => {
      if (call.op !== 'confirm' || !call.indexes?.includes(0)) return undefined;
      // Once the hash is declared (the last part may leave), another tab sends the last part.
      return until(() => h.server.only().sha256 !== undefined, 'declared').then(() => {
        h.server.only().received.set(1, 1);
      });
    };
    const id = addOne(h, makeSource('a.bin', patternBytes(2 * KIB)));
    await finishProcessing(h, id);
    expect(h.file(id)).toMatchObject({ status: 'completed', bytesAcked: 2 * KIB, percent: 100 });
    expect(h.server.callsFor(1)).toEqual([]);
    expect(h.server.apiCallsOf('sign').flatMap((call) => call.indexes)).toEqual([0]);
  });

  it('signs the chunks that leave next while the first ones are stored, and hashes every chunk once', async () => {
    const h = setup({ concurrency: 2 }, KIB, 'direct');
    h.server.onChunk = (call) => (call.index < 2 && call.attempt === 1 ? 'hold' : undefined);
    const id = addOne(h, makeSource('a.bin', patternBytes(6 * KIB)));
    await until(() => h.server.open.length === 2, 'the first two PUTs open');
    // The next two chunks are signed before either of the first two has been answered.
    await until(
      () =>
        h.server
          .apiCallsOf('sign')
          .flatMap((call) => call.indexes)
          .includes(3),
      'chunks 2 and 3 signed ahead',
    );
    const signedAhead = h.server.apiCallsOf('sign').flatMap((call) => call.indexes);
    expect(signedAhead).toEqual(expect.arrayContaining([0, 1, 2, 3]));
    expect(h.server.calls.map((call) => call.index).sort()).toEqual([0, 1]);
    for (const call of h.server.open) call.respond();
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
    // Six chunk-sized hashes (the fingerprint hashes the whole 6 KiB file once besides).
    expect(h.hasher.hashedSizes.filter((size) => size === KIB)).toHaveLength(6);
    // Every chunk signed once: the URLs signed ahead were the ones used.
    const signed = h.server.apiCallsOf('sign').flatMap((call) => call.indexes);
    expect(signed.sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("hands a chunk's request slot on once storage holds it: the next chunk leaves while the first is confirmed", async () => {
    const h = setup({ concurrency: 1 }, KIB, 'direct');
    const confirmation = gate();
    h.server.beforeApi = (call) => (call.op === 'confirm' && call.indexes?.includes(0) ? confirmation.wait : undefined);
    const id = addOne(h, makeSource('a.bin', patternBytes(3 * KIB)));
    // One request slot, and chunk 0 not confirmed yet: chunk 1 is PUT all the same.
    await until(() => h.server.calls.some((call) => call.index === 1), 'chunk 1 sent');
    expect(h.file(id).bytesAcked).toBe(0);
    confirmation.open();
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
    expect([...h.server.only().received.values()]).toEqual([1, 1, 1]);
  });

  it('signs ahead a window at a time, several chunks per request, each chunk once', async () => {
    const h = setup({ concurrency: 2 }, KIB, 'direct');
    // A PUT takes longer than hashing a chunk, as it does for real.
    h.server.onChunk = (call) => {
      void (async () => {
        for (let turn = 0; turn < 100; turn++) await new Promise(setImmediate);
        call.respond();
      })();
      return 'hold';
    };
    const id = addOne(h, makeSource('a.bin', patternBytes(24 * KIB)));
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
    const calls = h.server.apiCallsOf('sign').map((call) => call.indexes ?? []);
    expect(calls.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    // Chunks hashed ahead go 2 × concurrency to a request (without the look-ahead windows each
    // chunk asks alone, as it reaches the front).
    expect(calls.filter((indexes) => indexes.length >= 4).length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...calls.map((indexes) => indexes.length))).toBe(4);
    expect(calls.length).toBeLessThan(20);
  });
});

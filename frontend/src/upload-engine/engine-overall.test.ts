import { describe, expect, it } from 'vitest';
import { until } from '../../test/support/clock.ts';
import { addOne, KIB, setup } from '../../test/support/engine-harness.ts';
import { makeSource, patternBytes } from '../../test/support/sources.ts';

describe('UploadEngine: the overall line and files waiting their turn', () => {
  it('says a file waiting for a request slot is queued, with no speed, until one of its chunks leaves', async () => {
    const h = setup({ concurrency: 1, stallTimeoutMs: 60_000 });
    // The whole-file hashes never finish here: each file's last chunk stays back (holdLast), as it
    // does while a real hash runs. Finished, a's last chunk would wait for the slot and b not open.
    h.hasher.hold();
    h.server.onChunk = () => 'hold';
    const a = addOne(h, makeSource('a.bin', patternBytes(3 * KIB)));
    const b = addOne(h, makeSource('b.bin', patternBytes(2 * KIB)));
    // b opens once a has nothing left waiting for a slot (its last chunk waits for the file's
    // SHA-256), while a's chunk still holds the only slot.
    await until(() => h.server.open[0]?.index === 0, 'a sends');
    h.server.open[0]?.respond();
    const aSends = () => h.server.open.length === 1 && h.server.open[0]?.uploadId === h.file(a).uploadId;
    await until(() => aSends() && h.status(b) === 'uploading', 'a sending, b open');
    await h.clock.advance(5000);
    expect(h.file(b)).toMatchObject({
      status: 'uploading',
      waiting: 'queue',
      speedBytesPerSecond: 0,
      etaSeconds: null,
    });
    expect(h.file(a).waiting).toBeUndefined();

    const bSends = () => h.server.open.find((call) => call.uploadId === h.file(b).uploadId);
    while (!bSends()) {
      const call = h.server.open[0];
      call?.respond();
      await until(() => h.server.open.length === 1 && h.server.open[0] !== call, 'the next chunk');
    }
    expect(h.file(b).waiting).toBeUndefined();
    // b's speed counts from when its chunk left, not from the 5 s it waited.
    const leftAt = h.clock.now();
    await h.clock.advance(1000);
    bSends()?.respond();
    await until(() => h.file(b).bytesAcked === KIB, 'b first chunk');
    await h.clock.advance(1000);
    expect(h.file(b).speedBytesPerSecond).toBe(Math.round((KIB * 1000) / (h.clock.now() - leftAt)));
  });

  it('leaves paused files out of the ETA and counts their remaining bytes apart', async () => {
    const h = setup({ concurrency: 2 });
    h.server.onChunk = () => 'hold';
    const a = addOne(h, makeSource('a.bin', patternBytes(4 * KIB)));
    await until(() => h.server.open.length === 2, 'a sending');
    h.engine.pause(a);
    expect(h.engine.getSnapshot()).toMatchObject({ pausedBytes: 4 * KIB, etaSeconds: null, speedBytesPerSecond: 0 });
    h.engine.resume(a);
    expect(h.engine.getSnapshot().pausedBytes).toBe(0);
  });

  it('says nothing is moving once every file is done: no speed, no ETA', async () => {
    const h = setup();
    const a = addOne(h, makeSource('a.bin', patternBytes(2 * KIB)));
    await until(() => h.status(a) === 'processing' || h.status(a) === 'completed', 'sent');
    await h.clock.advance(3000);
    await until(() => h.status(a) === 'completed', 'completed');
    expect(h.engine.getSnapshot()).toMatchObject({ percent: 100, speedBytesPerSecond: 0, etaSeconds: null });
  });
});

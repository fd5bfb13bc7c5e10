import { describe, expect, it } from 'vitest';
import { until } from '../../test/support/clock.ts';
import { addOne, finishProcessing, KIB, setup } from '../../test/support/engine-harness.ts';
import { makeSource, patternBytes } from '../../test/support/sources.ts';

/**
 * The set can complete with one chunk's answer while another chunk's answer is still on its way
 * (two chunks recorded together; a slow downlink delivers one answer first).
 */
describe('UploadEngine: the set completes while requests are in flight', () => {
  async function twoHeld(sentOfFirst: number) {
    const h = setup({ concurrency: 2 });
    h.server.onChunk = () => 'hold';
    const id = addOne(h, makeSource('a.bin', patternBytes(2 * KIB)));
    await until(() => h.server.open.length === 2, 'both chunks sent');
    const [first, second] = [0, 1].map((index) => h.server.open.find((call) => call.index === index));
    if (!first || !second) throw new Error('no calls');
    first.onProgress(sentOfFirst);
    second.onProgress(KIB);
    // The server recorded chunk 0 already; its answer has not arrived when chunk 1's says complete.
    h.server.only().received.set(0, 1);
    second.respond();
    await until(() => h.status(id) === 'processing' || h.status(id) === 'completed', 'processing');
    return { h, id, first };
  }

  it('does not cut a request whose bytes have all left: only its answer is still on the way', async () => {
    const { h, id, first } = await twoHeld(KIB);
    expect(first.signal.aborted).toBe(false);
    first.respond();
    await finishProcessing(h, id);
    expect(h.file(id)).toMatchObject({ status: 'completed', bytesAcked: 2 * KIB, percent: 100 });
  });

  it('cuts a request still sending bytes the server no longer needs', async () => {
    const { h, id, first } = await twoHeld(KIB / 2);
    expect(first.signal.aborted).toBe(true);
    await finishProcessing(h, id);
    expect(h.file(id)).toMatchObject({ status: 'completed', bytesAcked: 2 * KIB });
  });
});

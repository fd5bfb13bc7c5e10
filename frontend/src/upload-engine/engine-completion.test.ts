import { describe, expect, it } from 'vitest';
import { settle, until } from '../../test/support/clock.ts';
import { addOne, finishProcessing, KIB, POLL_MS, setup } from '../../test/support/engine-harness.ts';
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

describe('UploadEngine: waiting for the assembly', () => {
  it('asks at once when the set completes, with a 20 s wait; again at once when the status moved; else once a poll interval', async () => {
    const h = setup({});
    h.server.assemblyPolls = 3;
    const id = addOne(h, makeSource('a.bin', patternBytes(2 * KIB)));
    await until(() => h.status(id) === 'processing', 'processing');
    await h.clock.advance(0);
    // This fake answers at once: `assembling` is news the first time (asked again at once), not the second.
    expect(h.server.waits).toEqual([20, 20]);
    await h.clock.advance(POLL_MS - 1);
    await settle();
    expect(h.server.waits).toHaveLength(2);
    await h.clock.advance(1);
    await settle();
    expect(h.server.waits).toHaveLength(3);
    await finishProcessing(h, id);
    expect(h.file(id)).toMatchObject({ status: 'completed' });
    expect(h.server.waits.every((w) => w === 20)).toBe(true);
  });

  it('asks again at once when a held answer comes back unchanged after the wait', async () => {
    const h = setup({});
    h.server.assemblyPolls = 2;
    const answer = h.server.getUpload.bind(h.server);
    const askedAt: number[] = [];
    // A server that holds each answer for a full poll interval (its wait ran out, status unchanged).
    h.server.getUpload = async (uploadId, waitSeconds) => {
      askedAt.push(h.clock.now());
      const state = await answer(uploadId, waitSeconds);
      await new Promise<void>((resolve) => h.clock.setTimeout(resolve, POLL_MS));
      return state;
    };
    const id = addOne(h, makeSource('a.bin', patternBytes(2 * KIB)));
    await until(() => h.status(id) === 'processing', 'processing');
    await h.clock.advance(0);
    await h.clock.advance(2 * POLL_MS);
    // The second answer (unchanged, held 1 s) was followed by the third call with no delay.
    expect(askedAt).toHaveLength(3);
    expect(askedAt.map((t) => t - (askedAt[0] ?? 0))).toEqual([0, POLL_MS, 2 * POLL_MS]);
    await h.clock.advance(POLL_MS);
    expect(h.file(id)).toMatchObject({ status: 'completed' });
  });
});

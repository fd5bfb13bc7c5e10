import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FakeDirectApi } from './fake-direct-api.ts';
import { sendParts } from './part-sender.ts';

/** A manual clock: sleeping advances it, nothing waits for real. */
function manualClock(start = Date.parse('2026-12-01T06:00:00Z')) {
  let t = start;
  const advance = (ms: number) => {
    t += ms;
  };
  return { now: () => t, advance, sleep: async (ms: number) => advance(ms) };
}

const part = (index: number) => new Uint8Array(16).fill(index + 1);
const hashPart = async (index: number) => ({
  index,
  sha256: createHash('sha256').update(part(index)).digest('base64'),
  length: 16,
});

function setup(totalChunks: number, options: { ttlMs?: number; concurrency?: number } = {}) {
  const clock = manualClock();
  const api = new FakeDirectApi(totalChunks, clock.now, options.ttlMs);
  const run = () =>
    sendParts({
      api,
      uploadId: 'u1',
      totalChunks,
      concurrency: options.concurrency ?? 4,
      readPart: async (i) => part(i),
      hashPart,
      clock: clock.now,
      monotonic: clock.now,
      sleep: clock.sleep,
    });
  return { api, clock, run };
}

/** PUTs take longer than hashing a part, as they do for real (16 MiB: ~300 ms vs ~40 ms). */
function slowPuts(api: FakeDirectApi): void {
  const putPart = api.putPart.bind(api);
  api.putPart = async (part, body) => {
    for (let turn = 0; turn < 20; turn++) await new Promise(setImmediate);
    return putPart(part, body);
  };
}

describe('sendParts (direct transfer)', () => {
  it('signs, PUTs and confirms every part once, and ends on the confirmation that completes the set', async () => {
    const { api, run } = setup(10);
    const result = await run();
    expect(result.complete).toBe(true);
    expect([...api.recorded].sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    expect(api.puts).toHaveLength(10);
    expect(
      api.signCalls
        .flat()
        .map((p) => p.index)
        .sort((a, b) => a - b),
    ).toEqual([...Array(10).keys()]);
    expect(api.signCalls.flat().every((p) => p.length === 16)).toBe(true);
    expect(result).toMatchObject({ retries: 0, resigned: 0, resent: 0, signedParts: 10 });
  });

  it('signs in batches of at most 100, however many lanes ask', async () => {
    const { api, run } = setup(300, { concurrency: 150 });
    await run();
    expect(Math.max(...api.signCalls.map((c) => c.length))).toBeLessThanOrEqual(100);
    expect(api.signCalls.length).toBeLessThan(300);
    expect(Math.max(...api.confirmCalls.map((c) => c.length))).toBeLessThanOrEqual(100);
  });

  it('signs a part again when S3 answers 403, and counts it', async () => {
    const { api, run } = setup(3);
    api.scripted.set(1, [403]);
    const result = await run();
    expect(result.resigned).toBe(1);
    expect(api.signCalls.flat().filter((p) => p.index === 1)).toHaveLength(2);
    expect(api.recorded.has(1)).toBe(true);
  });

  it('reuses a cached URL for a retried PUT while it has more than 30 s to live', async () => {
    const { api, run } = setup(1, { ttlMs: 60_000 });
    api.scripted.set(0, [500]);
    const result = await run();
    expect(result.retries).toBe(1);
    expect(api.puts).toEqual([0, 0]);
    expect(api.signCalls.flat()).toHaveLength(1);
  });

  it('re-signs when the cached URL is within 30 s of its expiry', async () => {
    const { api, run } = setup(1, { ttlMs: 29_000 });
    api.scripted.set(0, [500]);
    await run();
    expect(api.signCalls.flat()).toHaveLength(2);
  });

  it('PUTs again a part the confirmation says is missing, and confirms the rest of its batch again', async () => {
    const { api, run } = setup(4, { concurrency: 1 });
    api.loseOnce.add(2);
    const result = await run();
    expect(result.resent).toBe(1);
    expect(api.puts.filter((i) => i === 2)).toHaveLength(2);
    expect(result.complete).toBe(true);
    expect(api.recorded.size).toBe(4);
  });

  it('keeps PUTting while earlier parts are being confirmed', async () => {
    const { api, run } = setup(3, { concurrency: 1 });
    const confirm = api.confirmParts.bind(api);
    let release: () => void = () => {};
    const allPut = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Confirmations answer only once every part is PUT: a lane waiting for its confirmation would deadlock.
    api.confirmParts = async (id, indexes) => {
      if (api.puts.length === 3) release();
      await allPut;
      return confirm(id, indexes);
    };
    const putPart = api.putPart.bind(api);
    api.putPart = async (part, body) => {
      const status = await putPart(part, body);
      if (api.puts.length === 3) release();
      return status;
    };
    const result = await run();
    expect(result.complete).toBe(true);
    expect(api.recorded.size).toBe(3);
  });

  it('gives up after three failed PUTs of a part, naming it', async () => {
    const { api, run } = setup(2, { concurrency: 1 });
    api.scripted.set(1, [500, 502, 503]);
    await expect(run()).rejects.toThrow(/part 1: PUT failed 3 times \(HTTP 503\)/);
  });

  it('does not claim completion when the server never says complete', async () => {
    const { api, run } = setup(2);
    // A server that answers complete:false forever.
    api.confirmParts = async (_id, indexes) => {
      api.confirmCalls.push(indexes);
      return { ok: true, received: 1, totalChunks: 2, complete: false };
    };
    expect((await run()).complete).toBe(false);
  });

  it('signs the parts that leave next while the first ones are being PUT, each once', async () => {
    const { api, run } = setup(6, { concurrency: 2 });
    const putPart = api.putPart.bind(api);
    let signedDuringFirstPut: number[] = [];
    api.putPart = async (part, body) => {
      // Both lanes' first PUTs stay open for a while: only a look-ahead can sign parts 2 and 3 meanwhile.
      if (part.index < 2) {
        const signed = () => api.signCalls.flat().map((p) => p.index);
        for (let turn = 0; turn < 20 && !signed().includes(3); turn++) await new Promise(setImmediate);
        if (part.index === 0) signedDuringFirstPut = signed();
      }
      return putPart(part, body);
    };
    const result = await run();
    expect(signedDuringFirstPut).toEqual(expect.arrayContaining([0, 1, 2, 3]));
    expect(result.complete).toBe(true);
    expect(result.signedParts).toBe(6);
    expect(api.puts.sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('signs a window of parts ahead in a few calls, each part once', async () => {
    const { api, run } = setup(64, { concurrency: 4 });
    slowPuts(api);
    const result = await run();
    expect(result.complete).toBe(true);
    const signed = api.signCalls.flat().map((p) => p.index);
    expect(signed.sort((a, b) => a - b)).toEqual(Array.from({ length: 64 }, (_, i) => i));
    // Parts hashed ahead go `concurrency` to a call, where each part would otherwise ask alone.
    expect(api.signCalls.filter((call) => call.length >= 2).length).toBeGreaterThanOrEqual(8);
    expect(api.signCalls.length).toBeLessThan(32);
  });

  it('asks each part its hash once, whoever asks first, and asks again at its turn after a failed hash', async () => {
    const clock = manualClock();
    const api = new FakeDirectApi(40, clock.now);
    slowPuts(api);
    const asked = new Map<number, number>();
    let failOnce = true;
    const result = await sendParts({
      api,
      uploadId: 'u1',
      totalChunks: 40,
      concurrency: 4,
      readPart: async (i) => part(i),
      hashPart: async (i) => {
        asked.set(i, (asked.get(i) ?? 0) + 1);
        // The look-ahead's first ask for part 9 fails (a read error): its lane asks again.
        if (i === 9 && failOnce) {
          failOnce = false;
          throw new Error('read failed');
        }
        return hashPart(i);
      },
      clock: clock.now,
      monotonic: clock.now,
      sleep: clock.sleep,
    });
    // The fake storage refuses (400) bytes whose hash is not the signed one: none was refused.
    expect(result).toMatchObject({ complete: true, retries: 0, resent: 0 });
    expect(api.puts.sort((a, b) => a - b)).toEqual([...Array(40).keys()]);
    expect([...asked.keys()].sort((a, b) => a - b)).toEqual([...Array(40).keys()]);
    expect([...asked.entries()].filter(([, n]) => n > 1)).toEqual([[9, 2]]);
  });

  it('signs ahead 2 × concurrency parts per call, far fewer calls than parts', async () => {
    const { api, run } = setup(40, { concurrency: 4 });
    slowPuts(api);
    expect((await run()).complete).toBe(true);
    const sizes = api.signCalls.map((c) => c.length);
    expect(Math.max(...sizes)).toBe(8);
    expect(sizes.filter((n) => n === 8).length).toBeGreaterThanOrEqual(2);
    expect(api.signCalls.length).toBeLessThan(12);
  });

  it('once every part is out, holds what is stored until the last PUT ends: the rest goes in one call', async () => {
    const { api, run } = setup(10, { concurrency: 10 });
    slowPuts(api);
    expect((await run()).complete).toBe(true);
    // All ten are out at once: ten stored (more than eight) still wait for the last PUT.
    expect(api.confirmCalls.map((c) => [...c].sort((a, b) => a - b))).toEqual([[...Array(10).keys()]]);
  });

  it('holds confirmations while PUTs run until eight parts can go together, and sends the rest after the last PUT', async () => {
    const { api, run } = setup(30, { concurrency: 4 });
    slowPuts(api);
    const result = await run();
    expect(result.complete).toBe(true);
    expect(api.confirmCalls.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(api.confirmCalls.slice(0, -1).every((c) => c.length >= 8)).toBe(true);
    expect(api.confirmCalls.length).toBeLessThanOrEqual(4);
  });
});

import { describe, expect, it } from 'vitest';
import { CoalescingBatcher } from './batcher.ts';

/** A send function whose batches the test answers by hand. */
function manualSend() {
  const batches: Array<{ items: number[]; answer: (r: string[]) => void; fail: (e: Error) => void }> = [];
  const send = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => batches.push({ items, answer: resolve, fail: reject }));
  return { batches, send };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('CoalescingBatcher', () => {
  it('sends the first request at once and coalesces those made while it is in flight', async () => {
    const { batches, send } = manualSend();
    const batcher = new CoalescingBatcher(send, 100);
    const first = batcher.request(1);
    await tick();
    const rest = [2, 3, 4].map((i) => batcher.request(i));
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1]]);
    batches[0]?.answer(['one']);
    expect(await first).toBe('one');
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2, 3, 4]]);
    batches[1]?.answer(['two', 'three', 'four']);
    expect(await Promise.all(rest)).toEqual(['two', 'three', 'four']);
  });

  it('sends requests made in the same turn together', async () => {
    const { batches, send } = manualSend();
    const batcher = new CoalescingBatcher(send, 100);
    const all = [1, 2, 3].map((i) => batcher.request(i));
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1, 2, 3]]);
    batches[0]?.answer(['a', 'b', 'c']);
    expect(await Promise.all(all)).toEqual(['a', 'b', 'c']);
  });

  it('never sends more than maxBatch items at once', async () => {
    const { batches, send } = manualSend();
    const batcher = new CoalescingBatcher(send, 100);
    const all = Array.from({ length: 251 }, (_, i) => batcher.request(i));
    for (const size of [100, 100, 51]) {
      await tick();
      batches.at(-1)?.answer(Array.from({ length: size }, () => 'x'));
    }
    await Promise.all(all);
    expect(batches.map((b) => b.items.length)).toEqual([100, 100, 51]);
  });

  it('fails every request of a failed batch, and the next batch still goes', async () => {
    const { batches, send } = manualSend();
    const batcher = new CoalescingBatcher(send, 100);
    const first = batcher.request(1);
    await tick();
    const second = batcher.request(2);
    await tick();
    batches[0]?.fail(new Error('503'));
    await expect(first).rejects.toThrow('503');
    await tick();
    batches[1]?.answer(['ok']);
    expect(await second).toBe('ok');
  });

  it('refuses an answer that does not have one result per item', async () => {
    const { batches, send } = manualSend();
    const batcher = new CoalescingBatcher(send, 100);
    const first = batcher.request(1);
    await tick();
    batches[0]?.answer([]);
    await expect(first).rejects.toThrow('batch of 1 got 0 results');
  });
});

describe('CoalescingBatcher with holdWhile', () => {
  it('holds requests while the predicate holds, and sends them together on release', async () => {
    const { batches, send } = manualSend();
    let holding = true;
    const batcher = new CoalescingBatcher(send, 100, 1, (waiting) => holding && waiting < 3);
    const results = [1, 2].map((i) => batcher.request(i));
    await tick();
    expect(batches).toEqual([]);
    holding = false;
    batcher.release();
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1, 2]]);
    batches[0]?.answer(['a', 'b']);
    expect(await Promise.all(results)).toEqual(['a', 'b']);
  });

  it('sends once enough wait, even while the predicate would hold fewer', async () => {
    const { batches, send } = manualSend();
    const batcher = new CoalescingBatcher(send, 100, 1, (waiting) => waiting < 3);
    void batcher.request(1);
    void batcher.request(2);
    await tick();
    expect(batches).toEqual([]);
    void batcher.request(3);
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1, 2, 3]]);
  });
});

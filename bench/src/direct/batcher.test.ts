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

  it('never sends more than maxBatch items at once', async () => {
    const { batches, send } = manualSend();
    const batcher = new CoalescingBatcher(send, 100);
    const all = Array.from({ length: 251 }, (_, i) => batcher.request(i));
    await tick();
    batches[0]?.answer(['x']);
    await tick();
    batches[1]?.answer(Array.from({ length: 100 }, () => 'x'));
    await tick();
    batches[2]?.answer(Array.from({ length: 100 }, () => 'x'));
    await tick();
    batches[3]?.answer(Array.from({ length: 50 }, () => 'x'));
    await Promise.all(all);
    expect(batches.map((b) => b.items.length)).toEqual([1, 100, 100, 50]);
  });

  it('fails every request of a failed batch, and the next batch still goes', async () => {
    const { batches, send } = manualSend();
    const batcher = new CoalescingBatcher(send, 100);
    const first = batcher.request(1);
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

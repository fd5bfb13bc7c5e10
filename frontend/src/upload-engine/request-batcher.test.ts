import { describe, expect, it } from 'vitest';
import { perPart } from './direct-transport.ts';
import { type BatchOutcome, RequestBatcher } from './request-batcher.ts';
import { ApiError } from './types.ts';

describe('RequestBatcher', () => {
  it('sends what is asked in one turn together, one request at a time, and drops duplicates', async () => {
    const batches: number[][] = [];
    const batcher = new RequestBatcher<number, string>(
      async (items) => {
        batches.push(items);
        return new Map(items.map((i): [number, BatchOutcome<string>] => [i, { ok: `part ${i}` }]));
      },
      (item) => item,
    );
    const signal = new AbortController().signal;
    const answers = await Promise.all([1, 2, 2, 3].map((i) => batcher.submit(i, signal)));
    expect(answers).toEqual(['part 1', 'part 2', 'part 2', 'part 3']);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('fails every item of a failed request, retries items answered "again", and rejects aborted ones at once', async () => {
    let calls = 0;
    const batcher = new RequestBatcher<number, string>(
      async (items) => {
        calls++;
        if (calls === 1) throw new TypeError('Failed to fetch');
        return new Map(
          items.map((i): [number, BatchOutcome<string>] => [i, calls === 2 && i === 2 ? 'again' : { ok: 'ok' }]),
        );
      },
      (item) => item,
    );
    const signal = new AbortController().signal;
    await expect(batcher.submit(1, signal)).rejects.toThrow('Failed to fetch');
    expect(await Promise.all([batcher.submit(1, signal), batcher.submit(2, signal)])).toEqual(['ok', 'ok']);
    expect(calls).toBe(3);
    const controller = new AbortController();
    const aborted = batcher.submit(4, controller.signal);
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('perPart', () => {
  it('a refusal naming one part fails that part and asks again for the others (nothing was recorded)', async () => {
    const refusal = new ApiError(409, 'aborted', 'part 5 is missing', undefined, { index: 5 });
    const outcomes = await perPart([3, 5, 7], () => Promise.reject(refusal));
    expect([...outcomes.entries()]).toEqual([
      [3, 'again'],
      [5, { error: refusal }],
      [7, 'again'],
    ]);
  });

  it('any other failure fails them all', async () => {
    const unnamed = new ApiError(409, 'failed_precondition', 'upload is cancelled');
    await expect(perPart([3, 5], () => Promise.reject(unnamed))).rejects.toBe(unnamed);
    const elsewhere = new ApiError(409, 'aborted', 'part 9', undefined, { index: 9 });
    await expect(perPart([3, 5], () => Promise.reject(elsewhere))).rejects.toBe(elsewhere);
  });
});

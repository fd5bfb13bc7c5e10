import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AssemblyQueue } from '../src/ports/sessions-port.ts';

/** A queue, what it holds, and the same queue when its backend cannot be reached. */
export interface QueueUnderTest {
  queue: AssemblyQueue;
  /** The upload ids sent so far (FIFO order holds within one upload's group only). */
  sent(): Promise<string[]>;
  unreachable(): AssemblyQueue;
}

/**
 * What the chunk receiver relies on when it enqueues an assembly, one suite for the memory queue
 * (unit) and SQS FIFO on the emulator (integration): the upload arrives, and a queue that cannot be
 * reached fails with `unavailable` (the receiver reports it and still answers the chunk).
 */
export function assemblyQueueContract(name: string, create: () => Promise<QueueUnderTest>): void {
  describe(`AssemblyQueue contract (producer): ${name}`, () => {
    it('delivers each upload enqueued', async () => {
      const q = await create();
      const [a, b] = [randomUUID(), randomUUID()];
      await q.queue.enqueue(a);
      await q.queue.enqueue(b);
      expect((await q.sent()).sort()).toEqual([a, b].sort());
    });

    it('fails with unavailable when the queue cannot be reached', async () => {
      const q = await create();
      await expect(q.unreachable().enqueue(randomUUID())).rejects.toMatchObject({ code: 'unavailable' });
    });
  });
}

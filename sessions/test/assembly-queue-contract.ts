import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AssemblyDelivery, AssemblyInbox } from '../src/ports/assembly-inbox.ts';
import type { AssemblyQueue } from '../src/ports/assembly-queue.ts';

/** One queue pair for one test: both sides, its redrive limit, and a way to let time pass. */
export interface QueueUnderTest {
  queue: AssemblyQueue;
  inbox: AssemblyInbox;
  /** The redrive policy's maxReceiveCount; the contract assumes 2. */
  maxReceiveCount: number;
  /** Lets `seconds` pass: a manual clock moves, or real time is slept. */
  elapse(seconds: number): Promise<void>;
  /** Upload ids that reached the dead-letter queue. */
  deadLetters(): Promise<string[]>;
  /** How long a receive that finds nothing may wait before the test calls the queue empty. */
  emptyPollMs: number;
}

/** The visibility timeout every receive asks for: long enough that a loaded emulator answers within it. */
const VISIBILITY_SECONDS = 2;

/**
 * The behaviour the assembly consumer relies on, one suite for the memory queue (unit) and SQS FIFO
 * against the emulator (integration): deduplication per upload, visibility and receive counts,
 * extension, deletion and the dead-letter redrive.
 */
export function assemblyQueueContract(name: string, create: () => Promise<QueueUnderTest>): void {
  const poll = (q: QueueUnderTest): Promise<AssemblyDelivery[]> =>
    q.inbox.receive(10, VISIBILITY_SECONDS, AbortSignal.timeout(q.emptyPollMs));

  describe(`AssemblyQueue and AssemblyInbox contract: ${name}`, () => {
    it('delivers an enqueued upload with receive count 1, and never again once removed', async () => {
      const q = await create();
      const uploadId = randomUUID();
      await q.queue.enqueue(uploadId);
      const [delivery, ...more] = await poll(q);
      expect(more).toEqual([]);
      expect(delivery).toMatchObject({ uploadId, receiveCount: 1 });
      await q.inbox.remove(delivery?.receipt ?? '');
      await q.elapse(VISIBILITY_SECONDS + 1);
      expect(await poll(q)).toEqual([]);
    });

    it('drops a repeat of an upload while its first message is still queued', async () => {
      const q = await create();
      const uploadId = randomUUID();
      await q.queue.enqueue(uploadId);
      await q.queue.enqueue(uploadId);
      expect((await poll(q)).map((d) => d.uploadId)).toEqual([uploadId]);
      await q.elapse(VISIBILITY_SECONDS + 1);
      expect(await poll(q)).toMatchObject([{ uploadId, receiveCount: 2 }]);
      expect(await poll(q)).toEqual([]);
    });

    it('hides a received message for the visibility timeout, then delivers it again with a higher count', async () => {
      const q = await create();
      const uploadId = randomUUID();
      await q.queue.enqueue(uploadId);
      const [first] = await poll(q);
      expect(await poll(q)).toEqual([]);
      await q.elapse(VISIBILITY_SECONDS + 1);
      const [second] = await poll(q);
      expect(second).toMatchObject({ uploadId, receiveCount: 2 });
      expect(second?.receipt).not.toBe(first?.receipt);
    });

    it('keeps a message hidden past its first timeout when extended, counting from the extension', async () => {
      const q = await create();
      const uploadId = randomUUID();
      await q.queue.enqueue(uploadId);
      const [delivery] = await poll(q);
      await q.elapse(1);
      await q.inbox.extend(delivery?.receipt ?? '', 4);
      await q.elapse(VISIBILITY_SECONDS);
      expect(await poll(q)).toEqual([]);
      await q.elapse(4);
      expect(await poll(q)).toMatchObject([{ uploadId, receiveCount: 2 }]);
    });

    it('moves a message received maxReceiveCount times without removal to the dead-letter queue', async () => {
      const q = await create();
      expect(q.maxReceiveCount).toBe(2);
      const uploadId = randomUUID();
      await q.queue.enqueue(uploadId);
      expect(await poll(q)).toMatchObject([{ uploadId, receiveCount: 1 }]);
      await q.elapse(VISIBILITY_SECONDS + 1);
      expect(await poll(q)).toMatchObject([{ uploadId, receiveCount: 2 }]);
      await q.elapse(VISIBILITY_SECONDS + 1);
      expect(await poll(q)).toEqual([]);
      expect(await q.deadLetters()).toEqual([uploadId]);
    });

    it('delivers different uploads independently: one in flight does not hold back another', async () => {
      const q = await create();
      const [a, b] = [randomUUID(), randomUUID()];
      await q.queue.enqueue(a);
      expect(await poll(q)).toMatchObject([{ uploadId: a }]);
      await q.queue.enqueue(b);
      expect(await poll(q)).toMatchObject([{ uploadId: b, receiveCount: 1 }]);
    });
  });
}

import { ManualClock } from '@lfusys/commons/manual-clock';
import { describe, expect, it } from 'vitest';
import { assemblyQueueContract } from '../../test/assembly-queue-contract.ts';
import { MemoryAssemblyQueue } from './memory-assembly-queue.ts';

assemblyQueueContract('memory', async () => {
  const clock = new ManualClock();
  const queue = new MemoryAssemblyQueue(clock, 2);
  return {
    queue,
    inbox: queue,
    maxReceiveCount: 2,
    elapse: async (seconds) => clock.advance(seconds * 1000),
    deadLetters: async () => [...queue.deadLetters],
    emptyPollMs: 20,
  };
});

describe('MemoryAssemblyQueue', () => {
  it('wakes a waiting receive when a message is enqueued or a hidden one shows again', async () => {
    const clock = new ManualClock();
    const queue = new MemoryAssemblyQueue(clock);
    const uploadId = '00000000-0000-4000-8000-000000000001';
    const waiting = queue.receive(1, 10, new AbortController().signal);
    await queue.enqueue(uploadId);
    expect(await waiting).toMatchObject([{ uploadId, receiveCount: 1 }]);
    const again = queue.receive(1, 10, new AbortController().signal);
    clock.advance(10_000);
    expect(await again).toMatchObject([{ uploadId, receiveCount: 2 }]);
    expect(clock.pending).toBe(0);
  });

  // SQS keeps a deduplication id for 5 minutes after the send, deleted message or not
  // (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/using-messagededuplicationid-property.html);
  // moto forgets it on delete, so the contract suite cannot hold the emulator to it.
  it('drops a repeat within 5 minutes of the first send even after the first was removed, and takes it after', async () => {
    const clock = new ManualClock();
    const queue = new MemoryAssemblyQueue(clock);
    const uploadId = '00000000-0000-4000-8000-000000000002';
    const signal = new AbortController().signal;
    await queue.enqueue(uploadId);
    const [first] = await queue.receive(1, 10, signal);
    await queue.remove(first?.receipt ?? '');
    await queue.enqueue(uploadId);
    expect(queue.depth).toBe(0);
    clock.advance(5 * 60_000);
    await queue.enqueue(uploadId);
    expect(await queue.receive(1, 10, signal)).toMatchObject([{ uploadId, receiveCount: 1 }]);
    expect(queue.sent).toEqual([uploadId, uploadId, uploadId]);
  });
});

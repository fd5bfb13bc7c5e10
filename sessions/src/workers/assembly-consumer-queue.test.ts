import { setImmediate as tick } from 'node:timers/promises';
import { ManualClock } from '@lfusys/commons/manual-clock';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../test/fakes.ts';
import { MemoryAssemblyQueue } from '../adapters/memory-assembly-queue.ts';
import { type AssemblyResult, PermanentAssemblyError } from '../domain/assembler.ts';
import { AssemblyConsumer } from './assembly-consumer.ts';

const UPLOAD = '00000000-0000-4000-8000-000000000001';
const VISIBILITY = 30;

/** Lets the consumer loop, the queue and the handlers run until they wait on the clock again. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await tick();
}

/** An assembler whose every attempt is counted and ends as `outcome` says (a promise the test may hold). */
function assemblerThat(outcome: () => Promise<AssemblyResult>) {
  const failed: Array<{ uploadId: string; reason: string }> = [];
  const calls = { attempts: 0 };
  return {
    calls,
    failed,
    assemble: () => {
      calls.attempts += 1;
      return outcome();
    },
    fail: async (uploadId: string, reason: string) => void failed.push({ uploadId, reason }),
  };
}

const consumers: AssemblyConsumer[] = [];
afterEach(async () => {
  await Promise.all(consumers.splice(0).map((c) => c.stop()));
});

function consumerOn(queue: MemoryAssemblyQueue, clock: ManualClock, assembler: ReturnType<typeof assemblerThat>) {
  const consumer = new AssemblyConsumer({
    inbox: queue,
    assembler,
    logger: silentLogger,
    concurrency: 2,
    visibilityTimeoutSeconds: VISIBILITY,
    maxReceiveCount: queue.maxReceiveCount,
    scheduler: clock,
  });
  consumers.push(consumer);
  consumer.start();
  return consumer;
}

describe('AssemblyConsumer on the memory queue', () => {
  it('retries a failing assembly at each visibility timeout, fails the upload on the last receive, then dead-letters it', async () => {
    const clock = new ManualClock();
    const queue = new MemoryAssemblyQueue(clock, 3);
    const assembler = assemblerThat(async () => {
      throw new Error('storage unavailable');
    });
    consumerOn(queue, clock, assembler);
    await queue.enqueue(UPLOAD);
    await settle();
    expect(assembler.calls.attempts).toBe(1);
    for (const attempts of [2, 3]) {
      clock.advance(VISIBILITY * 1000);
      await settle();
      expect(assembler.calls.attempts).toBe(attempts);
    }
    expect(assembler.failed).toEqual([{ uploadId: UPLOAD, reason: 'assembly kept failing; giving up' }]);
    expect(queue.deadLetters).toEqual([]);
    clock.advance(VISIBILITY * 1000);
    await settle();
    expect(assembler.calls.attempts).toBe(3);
    expect(queue.deadLetters).toEqual([UPLOAD]);
    expect(queue.depth).toBe(0);
  });

  it('keeps a long assembly to one consumer: the heartbeat hides its message from a second one', async () => {
    const clock = new ManualClock();
    const queue = new MemoryAssemblyQueue(clock);
    let finish: (result: AssemblyResult) => void = () => {};
    const assembler = assemblerThat(() => new Promise((resolve) => (finish = resolve)));
    consumerOn(queue, clock, assembler);
    consumerOn(queue, clock, assembler);
    await queue.enqueue(UPLOAD);
    await settle();
    // Ten minutes: twenty visibility timeouts, each renewed a third of the way through.
    for (let second = 0; second < 600; second += 5) {
      clock.advance(5000);
      await settle();
    }
    expect(assembler.calls.attempts).toBe(1);
    finish('completed');
    await settle();
    expect(queue.depth).toBe(0);
    clock.advance(VISIBILITY * 1000);
    await settle();
    expect(assembler.calls.attempts).toBe(1);
  });

  it('acknowledges a permanent failure at once: the upload fails and the message is not seen again', async () => {
    const clock = new ManualClock();
    const queue = new MemoryAssemblyQueue(clock);
    const assembler = assemblerThat(async () => {
      throw new PermanentAssemblyError('part 0 is missing or has the wrong size');
    });
    consumerOn(queue, clock, assembler);
    await queue.enqueue(UPLOAD);
    await settle();
    expect(assembler.failed).toEqual([{ uploadId: UPLOAD, reason: 'part 0 is missing or has the wrong size' }]);
    expect(queue.depth).toBe(0);
    expect(queue.deadLetters).toEqual([]);
  });
});

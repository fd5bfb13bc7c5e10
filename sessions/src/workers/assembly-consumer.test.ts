import { ManualClock } from '@lfusys/commons/manual-clock';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../test/fakes.ts';
import { type AssemblyResult, PermanentAssemblyError } from '../domain/assembler.ts';
import type { AssemblyDelivery, AssemblyInbox } from '../ports/assembly-inbox.ts';
import { AssemblyConsumer } from './assembly-consumer.ts';

const UPLOAD = '00000000-0000-4000-8000-000000000001';
const VISIBILITY = 120;

/** Records what the consumer asked of the queue, with the manual clock's time. */
class RecordingInbox implements AssemblyInbox {
  readonly extended: Array<{ receipt: string; seconds: number; at: number }> = [];
  readonly removed: string[] = [];
  failExtends = false;
  constructor(private readonly clock: ManualClock) {}
  async receive(): Promise<AssemblyDelivery[]> {
    return [];
  }
  async extend(receipt: string, seconds: number): Promise<void> {
    this.extended.push({ receipt, seconds, at: this.clock.now() });
    if (this.failExtends) throw new Error('ReceiptHandleIsInvalid');
  }
  async remove(receipt: string): Promise<void> {
    this.removed.push(receipt);
  }
}

/** An assembler whose assemblies end when the test says so. */
class ControlledAssembler {
  readonly failed: Array<{ uploadId: string; reason: string }> = [];
  private settle: { resolve: (r: AssemblyResult) => void; reject: (e: unknown) => void } | undefined;
  assemble(): Promise<AssemblyResult> {
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
  }
  async fail(uploadId: string, reason: string): Promise<void> {
    this.failed.push({ uploadId, reason });
  }
  finish(result: AssemblyResult): void {
    this.settle?.resolve(result);
  }
  crash(err: unknown): void {
    this.settle?.reject(err);
  }
}

function setup(maxReceiveCount = 5) {
  const clock = new ManualClock();
  const inbox = new RecordingInbox(clock);
  const assembler = new ControlledAssembler();
  const consumer = new AssemblyConsumer({
    inbox,
    assembler,
    logger: silentLogger,
    concurrency: 2,
    visibilityTimeoutSeconds: VISIBILITY,
    maxReceiveCount,
    scheduler: clock,
  });
  const delivery = (receiveCount = 1): AssemblyDelivery => ({
    uploadId: UPLOAD,
    body: '',
    receiveCount,
    receipt: 'r-1',
    traceContext: {},
  });
  return { clock, inbox, assembler, consumer, delivery };
}

describe('AssemblyConsumer', () => {
  it('keeps the message hidden every third of the timeout while a long assembly runs, and stops after', async () => {
    const { clock, inbox, assembler, consumer, delivery } = setup();
    const start = clock.now();
    const handled = consumer.handle(delivery());

    clock.advance(39_999);
    expect(inbox.extended).toEqual([]);
    // A 5 GiB verification: ten minutes, far beyond the 2-minute visibility timeout.
    clock.advance(10 * 60_000 - 39_999);
    expect(inbox.extended).toHaveLength(15);
    expect(inbox.extended[0]).toEqual({ receipt: 'r-1', seconds: VISIBILITY, at: start + 40_000 });
    // Never more than a third of the timeout between renewals: the message cannot show again.
    inbox.extended.forEach((e, i) => {
      expect(e.at - (inbox.extended[i - 1]?.at ?? start)).toBe((VISIBILITY * 1000) / 3);
    });

    assembler.finish('completed');
    await handled;
    expect(inbox.removed).toEqual(['r-1']);
    expect(clock.pending).toBe(0);
    clock.advance(10 * 60_000);
    expect(inbox.extended).toHaveLength(15);
  });

  it('carries on when a renewal fails', async () => {
    const { clock, inbox, assembler, consumer, delivery } = setup();
    inbox.failExtends = true;
    const handled = consumer.handle(delivery());
    clock.advance(VISIBILITY * 1000);
    assembler.finish('completed');
    await handled;
    expect(inbox.extended).toHaveLength(3);
    expect(inbox.removed).toEqual(['r-1']);
  });

  it('ends the upload and removes the message on a permanent failure', async () => {
    const { assembler, consumer, inbox, clock, delivery } = setup();
    const handled = consumer.handle(delivery());
    assembler.crash(new PermanentAssemblyError('assembled object has 0 bytes, expected 10'));
    await handled;
    expect(assembler.failed).toEqual([{ uploadId: UPLOAD, reason: 'assembled object has 0 bytes, expected 10' }]);
    expect(inbox.removed).toEqual(['r-1']);
    expect(clock.pending).toBe(0);
  });

  it('leaves the message for redelivery on a transient failure before the last receive', async () => {
    const { assembler, consumer, inbox, clock, delivery } = setup(5);
    const handled = consumer.handle(delivery(4));
    assembler.crash(new Error('storage unavailable'));
    await handled;
    expect(assembler.failed).toEqual([]);
    expect(inbox.removed).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  it('fails the upload on the last receive and leaves the message to the dead-letter queue', async () => {
    const { assembler, consumer, inbox, delivery } = setup(5);
    const handled = consumer.handle(delivery(5));
    assembler.crash(new Error('storage unavailable'));
    await handled;
    expect(assembler.failed).toEqual([{ uploadId: UPLOAD, reason: 'assembly kept failing; giving up' }]);
    expect(inbox.removed).toEqual([]);
  });

  it('drops a malformed message without assembling anything', async () => {
    const { assembler, consumer, inbox, clock } = setup();
    await consumer.handle({
      uploadId: undefined,
      body: 'not json',
      receiveCount: 1,
      receipt: 'r-bad',
      traceContext: {},
    });
    expect(inbox.removed).toEqual(['r-bad']);
    expect(assembler.failed).toEqual([]);
    expect(clock.pending).toBe(0);
  });
});

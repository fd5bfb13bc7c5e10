import { AppError, parseAssemblyMessage } from '@lfusys/commons';
import type { AssemblyDelivery, AssemblyInbox } from '../ports/assembly-inbox.ts';
import type { AssemblyQueue } from '../ports/assembly-queue.ts';

/** Time and one-shot timers: a `ManualClock` in tests. */
export interface QueueClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

interface Message {
  uploadId: string;
  body: string;
  receiveCount: number;
  /** Hidden until then (ms); 0 while it was never received. */
  visibleAt: number;
  /** The handle of its latest receive; each receive issues a new one, as SQS does. */
  receipt: string;
}

/** SQS FIFO keeps a deduplication id for 5 minutes (MessageDeduplicationId). */
const DEDUPLICATION_MS = 5 * 60_000;
/** SQS hands out at most 10 messages per ReceiveMessage. */
const MAX_PER_RECEIVE = 10;

/**
 * The assembly FIFO queue in memory, both sides (`AssemblyQueue` and `AssemblyInbox`), with the SQS
 * rules the consumer relies on (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/):
 * a repeat of an upload's message within 5 minutes of the first is dropped (deduplication id =
 * uploadId), even after the first was deleted; a received message is hidden for the visibility
 * timeout and then delivered again with its receive count raised; a message of a group stays
 * behind one of the same group in flight; after `maxReceiveCount` receives a message is moved to the
 * dead-letter queue instead of being delivered again (the redrive policy). `receive` waits until a
 * message is visible or its signal aborts, as a long poll does.
 */
export class MemoryAssemblyQueue implements AssemblyQueue, AssemblyInbox {
  /** Every `enqueue` call, in order, deduplicated or not. */
  readonly sent: string[] = [];
  /** Upload ids moved to the dead-letter queue, in order. */
  readonly deadLetters: string[] = [];
  private readonly messages: Message[] = [];
  private readonly deduplication = new Map<string, number>();
  private readonly waiters = new Set<() => void>();
  private receipts = 0;

  constructor(
    private readonly clock: QueueClock,
    readonly maxReceiveCount = 5,
  ) {}

  async enqueue(uploadId: string): Promise<void> {
    this.sent.push(uploadId);
    const now = this.clock.now();
    const first = this.deduplication.get(uploadId);
    if (first !== undefined && now - first < DEDUPLICATION_MS) return;
    this.deduplication.set(uploadId, now);
    this.messages.push({ uploadId, body: JSON.stringify({ uploadId }), receiveCount: 0, visibleAt: 0, receipt: '' });
    for (const wake of [...this.waiters]) wake();
  }

  async receive(max: number, visibilitySeconds: number, signal: AbortSignal): Promise<AssemblyDelivery[]> {
    for (;;) {
      if (signal.aborted) return [];
      const deliveries = this.take(Math.min(MAX_PER_RECEIVE, max), visibilitySeconds);
      if (deliveries.length > 0) return deliveries;
      await this.nextChange(signal);
    }
  }

  /** Only while the receive that issued `receipt` still hides the message (else SQS's MessageNotInflight). */
  async extend(receipt: string, seconds: number): Promise<void> {
    const message = this.received(receipt);
    if (message.visibleAt <= this.clock.now()) throw new AppError('failed_precondition', 'message is not in flight');
    message.visibleAt = this.clock.now() + seconds * 1000;
  }

  /** Deletes the message its latest receipt names. */
  async remove(receipt: string): Promise<void> {
    this.messages.splice(this.messages.indexOf(this.received(receipt)), 1);
  }

  /** Messages waiting or in flight (not deleted, not dead-lettered). */
  get depth(): number {
    return this.messages.length;
  }

  /** Delivers up to `max` visible messages, oldest first, one per group; dead-letters spent ones. */
  private take(max: number, visibilitySeconds: number): AssemblyDelivery[] {
    const now = this.clock.now();
    const busyGroups = new Set(this.messages.filter((m) => m.visibleAt > now).map((m) => m.uploadId));
    const out: AssemblyDelivery[] = [];
    for (const message of [...this.messages]) {
      if (out.length >= max) break;
      if (busyGroups.has(message.uploadId)) continue;
      if (message.receiveCount >= this.maxReceiveCount) {
        this.messages.splice(this.messages.indexOf(message), 1);
        this.deadLetters.push(message.uploadId);
        continue;
      }
      message.receiveCount += 1;
      message.visibleAt = now + visibilitySeconds * 1000;
      message.receipt = `receipt-${++this.receipts}`;
      busyGroups.add(message.uploadId);
      out.push({
        uploadId: parseAssemblyMessage(message.body),
        body: message.body,
        receiveCount: message.receiveCount,
        receipt: message.receipt,
        // No message attributes in memory: an assembly here starts a trace of its own.
        traceContext: {},
      });
    }
    return out;
  }

  /** The message whose latest receive issued `receipt` (SQS refuses an unknown handle: ReceiptHandleIsInvalid). */
  private received(receipt: string): Message {
    const message = this.messages.find((m) => m.receipt === receipt);
    if (!message) throw new AppError('failed_precondition', 'receipt handle is no longer valid');
    return message;
  }

  /** Resolves when a message is enqueued, the next hidden one shows again, or `signal` aborts. */
  private nextChange(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const now = this.clock.now();
      const hidden = this.messages.map((m) => m.visibleAt).filter((at) => at > now);
      let timer: unknown;
      const wake = () => {
        this.waiters.delete(wake);
        signal.removeEventListener('abort', wake);
        if (timer !== undefined) this.clock.clearTimeout(timer);
        resolve();
      };
      this.waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
      if (hidden.length > 0) timer = this.clock.setTimeout(wake, Math.min(...hidden) - now);
    });
  }
}

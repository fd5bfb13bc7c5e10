import { inSpan, type Logger, linksFrom, UPLOAD_ID_ATTRIBUTE } from '@lfusys/commons';
import { type Assembler, PermanentAssemblyError } from '../domain/assembler.ts';
import type { AssemblyDelivery, AssemblyInbox } from '../ports/assembly-inbox.ts';
import { type Scheduler, systemScheduler } from '../ports/clock.ts';

export interface ConsumerOptions {
  inbox: AssemblyInbox;
  assembler: Pick<Assembler, 'assemble' | 'fail'>;
  logger: Logger;
  /** Assemblies in flight at once. */
  concurrency: number;
  /** Set on every receive and renewed every third of it while assembling; a crash frees the message after at most this. */
  visibilityTimeoutSeconds: number;
  /** The queue's redrive maxReceiveCount: the last attempt marks the session FAILED. */
  maxReceiveCount: number;
  /** Drives the visibility heartbeat (tests move it by hand). */
  scheduler?: Scheduler;
}

/**
 * Consumes the assembly FIFO queue and assembles uploads with bounded concurrency. A message is
 * removed only after its upload reached a final state; otherwise it reappears after the
 * visibility timeout and, after `maxReceiveCount` receives, moves to the DLQ with the session
 * FAILED. While an assembly runs (completing a large multipart upload, then reading a 5 GiB
 * object back to verify its SHA-256) a heartbeat keeps the message hidden, so no other consumer
 * starts the same work half-way through.
 */
export class AssemblyConsumer {
  private running = false;
  private readonly inFlight = new Set<Promise<void>>();
  private poll: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private readonly scheduler: Scheduler;

  constructor(private readonly options: ConsumerOptions) {
    this.scheduler = options.scheduler ?? systemScheduler;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Stops receiving and waits for in-flight assemblies (their messages stay on the queue if unfinished). */
  async stop(): Promise<void> {
    this.running = false;
    this.poll?.abort();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  private async run(): Promise<void> {
    const { inbox, concurrency, logger, visibilityTimeoutSeconds } = this.options;
    while (this.running) {
      if (this.inFlight.size >= concurrency) {
        await Promise.race(this.inFlight);
        continue;
      }
      this.poll = new AbortController();
      let deliveries: AssemblyDelivery[] = [];
      try {
        deliveries = await inbox.receive(concurrency - this.inFlight.size, visibilityTimeoutSeconds, this.poll.signal);
      } catch (err) {
        if (!this.running) break;
        logger.warn({ err }, 'receive from assembly queue failed; retrying');
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      for (const delivery of deliveries) {
        const task = this.handle(delivery).finally(() => this.inFlight.delete(task));
        this.inFlight.add(task);
      }
    }
  }

  /** One delivery from receipt to its end: assembled and removed, failed for good, or left to be redelivered. */
  async handle(delivery: AssemblyDelivery): Promise<void> {
    const { inbox, assembler, logger, maxReceiveCount } = this.options;
    const { uploadId, receiveCount } = delivery;
    const log = logger.child({ uploadId, receiveCount });
    if (!uploadId) {
      log.error({ body: delivery.body }, 'malformed assembly message; dropping');
      await inbox.remove(delivery.receipt);
      return;
    }
    const stopHeartbeat = this.keepHidden(delivery, log);
    try {
      // A trace of its own (an assembly can outlive the request by minutes), linked to the chunk
      // request that queued it.
      const span = {
        root: true,
        links: linksFrom(delivery.traceContext),
        attributes: { [UPLOAD_ID_ATTRIBUTE]: uploadId, 'messaging.sqs.receive_count': receiveCount },
      };
      const result = await inSpan('upload.assemble', span, () => assembler.assemble(uploadId));
      log.info({ result }, 'assembly message handled');
      await inbox.remove(delivery.receipt);
    } catch (err) {
      const permanent = err instanceof PermanentAssemblyError;
      if (permanent || receiveCount >= maxReceiveCount) {
        const reason = permanent ? err.message : 'assembly kept failing; giving up';
        log.error({ err }, 'assembly failed for good');
        await assembler.fail(uploadId, reason);
        if (permanent) await inbox.remove(delivery.receipt);
      } else {
        log.warn({ err }, 'assembly failed; the message will be redelivered');
      }
    } finally {
      stopHeartbeat();
    }
  }

  /**
   * Renews the message's visibility every third of the timeout, so two renewals may fail before it
   * shows again. A failed renewal is logged, not fatal: at worst another consumer repeats work that
   * is idempotent.
   */
  private keepHidden(delivery: AssemblyDelivery, log: Logger): () => void {
    const seconds = this.options.visibilityTimeoutSeconds;
    return this.scheduler.every(Math.max(1000, (seconds * 1000) / 3), () => {
      this.options.inbox
        .extend(delivery.receipt, seconds)
        .catch((err: unknown) => log.warn({ err }, 'could not extend message visibility'));
    });
  }
}

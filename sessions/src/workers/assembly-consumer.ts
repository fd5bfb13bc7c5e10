import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type Logger, parseAssemblyMessage } from '@lfusys/commons';
import { type Assembler, PermanentAssemblyError } from '../domain/assembler.ts';

export interface ConsumerOptions {
  sqs: SQSClient;
  queueUrl: string;
  assembler: Assembler;
  logger: Logger;
  /** Assemblies in flight at once. */
  concurrency: number;
  /** Set on every receive and extended at a third of it while assembling; a crash frees the message after at most this. */
  visibilityTimeoutSeconds: number;
  /** The queue's redrive maxReceiveCount: the last attempt marks the session FAILED. */
  maxReceiveCount: number;
  waitTimeSeconds?: number;
}

/**
 * Long-polls the FIFO queue and assembles uploads with bounded concurrency. A message is deleted
 * only after its upload reached a final state; otherwise it reappears after the visibility
 * timeout and, after `maxReceiveCount` receives, moves to the DLQ with the session FAILED.
 */
export class AssemblyConsumer {
  private running = false;
  private readonly inFlight = new Set<Promise<void>>();
  private poll: AbortController | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: ConsumerOptions) {}

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
    const { sqs, queueUrl, concurrency, logger } = this.options;
    while (this.running) {
      if (this.inFlight.size >= concurrency) {
        await Promise.race(this.inFlight);
        continue;
      }
      this.poll = new AbortController();
      let messages: Message[] = [];
      try {
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: Math.min(10, concurrency - this.inFlight.size),
            WaitTimeSeconds: this.options.waitTimeSeconds ?? 20,
            // Ours, not the queue's default: it bounds how soon a crashed process's message returns.
            VisibilityTimeout: this.options.visibilityTimeoutSeconds,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
          { abortSignal: this.poll.signal },
        );
        messages = out.Messages ?? [];
      } catch (err) {
        if (!this.running) break;
        logger.warn({ err }, 'receive from assembly queue failed; retrying');
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      for (const message of messages) {
        const task = this.handle(message).finally(() => this.inFlight.delete(task));
        this.inFlight.add(task);
      }
    }
  }

  private async handle(message: Message): Promise<void> {
    const { sqs, queueUrl, assembler, logger, visibilityTimeoutSeconds, maxReceiveCount } = this.options;
    const uploadId = parseAssemblyMessage(message.Body);
    const receiveCount = Number(message.Attributes?.ApproximateReceiveCount ?? 1);
    const log = logger.child({ uploadId, receiveCount });
    const remove = () =>
      sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    if (!uploadId) {
      log.error({ body: message.Body?.slice(0, 200) }, 'malformed assembly message; dropping');
      await remove();
      return;
    }
    // Keep the message invisible while a long CompleteMultipartUpload runs.
    const heartbeat = setInterval(
      () => {
        sqs
          .send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: queueUrl,
              ReceiptHandle: message.ReceiptHandle,
              VisibilityTimeout: visibilityTimeoutSeconds,
            }),
          )
          .catch((err: unknown) => log.warn({ err }, 'could not extend message visibility'));
      },
      Math.max(1000, (visibilityTimeoutSeconds * 1000) / 3),
    );
    try {
      const result = await assembler.assemble(uploadId);
      log.info({ result }, 'assembly message handled');
      await remove();
    } catch (err) {
      const permanent = err instanceof PermanentAssemblyError;
      if (permanent || receiveCount >= maxReceiveCount) {
        const reason = permanent ? err.message : 'assembly kept failing; giving up';
        log.error({ err }, 'assembly failed for good');
        await assembler.fail(uploadId, reason);
        if (permanent) await remove();
      } else {
        log.warn({ err }, 'assembly failed; the message will be redelivered');
      }
    } finally {
      clearInterval(heartbeat);
    }
  }
}

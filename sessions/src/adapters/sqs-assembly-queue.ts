import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { AppError } from '@lfusys/commons';
import type { AssemblyQueue } from '../ports/assembly-queue.ts';

/** One message per upload: FIFO deduplication (5 minutes) and the state machine absorb repeats. */
export class SqsAssemblyQueue implements AssemblyQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(uploadId: string): Promise<void> {
    try {
      await this.sqs.send(
        new SendMessageCommand({
          QueueUrl: this.queueUrl,
          MessageBody: JSON.stringify({ uploadId }),
          MessageGroupId: uploadId,
          MessageDeduplicationId: uploadId,
        }),
      );
    } catch (err) {
      throw new AppError('unavailable', 'assembly queue unavailable', { cause: err });
    }
  }
}

import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { AppError } from '../errors/app-error.ts';

/**
 * The assembly message contract shared by its producer (uploads) and consumer (sessions): body
 * `{"uploadId"}`, group id = deduplication id = uploadId.
 */
export function parseAssemblyMessage(body: string | undefined): string | undefined {
  try {
    const parsed = JSON.parse(body ?? '') as { uploadId?: unknown };
    return typeof parsed.uploadId === 'string' && /^[0-9a-f-]{36}$/.test(parsed.uploadId) ? parsed.uploadId : undefined;
  } catch {
    return undefined;
  }
}

/** One message per upload: FIFO deduplication (5 minutes) and the state machine absorb repeats. */
export class SqsAssemblyQueue {
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

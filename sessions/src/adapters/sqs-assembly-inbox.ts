import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { parseAssemblyMessage } from '@lfusys/commons';
import type { AssemblyDelivery, AssemblyInbox } from '../ports/assembly-inbox.ts';

/**
 * The string message attributes: the trace context the OpenTelemetry AWS SDK instrumentation put
 * there when sending (and asks SQS to return when receiving), nothing with tracing off.
 */
function stringAttributes(attributes: Record<string, MessageAttributeValue> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value.DataType === 'String' && value.StringValue !== undefined) out[name] = value.StringValue;
  }
  return out;
}

/** The assembly FIFO queue read through SQS long polling. */
export class SqsAssemblyInbox implements AssemblyInbox {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    /** 20 s is SQS's longest poll; tests shorten it so a stop is quick. */
    private readonly waitTimeSeconds = 20,
  ) {}

  async receive(max: number, visibilitySeconds: number, signal: AbortSignal): Promise<AssemblyDelivery[]> {
    const out = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: this.waitTimeSeconds,
        // Ours, not the queue's default: it bounds how soon a crashed process's message returns.
        VisibilityTimeout: visibilitySeconds,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
      { abortSignal: signal },
    );
    return (out.Messages ?? []).map((m) => ({
      uploadId: parseAssemblyMessage(m.Body),
      body: (m.Body ?? '').slice(0, 200),
      receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
      receipt: m.ReceiptHandle ?? '',
      traceContext: stringAttributes(m.MessageAttributes),
    }));
  }

  async extend(receipt: string, seconds: number): Promise<void> {
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html:
    // the new timeout counts from now (at most 12 hours after the first receive).
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receipt,
        VisibilityTimeout: seconds,
      }),
    );
  }

  async remove(receipt: string): Promise<void> {
    await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receipt }));
  }
}

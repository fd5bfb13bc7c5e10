import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createSqsClient, parseAssemblyMessage, SqsAssemblyQueue } from '@lfusys/commons';
import { inject } from 'vitest';
import { SqsAssemblyInbox } from '../src/adapters/sqs-assembly-inbox.ts';
import { assemblyQueueContract } from './assembly-queue-contract.ts';

const sqs = createSqsClient({ region: 'us-east-1', endpoint: inject('awsEndpoint') });

/** A FIFO queue and its dead-letter queue, as bootstrap makes them, with a redrive after 2 receives. */
async function queuePair(): Promise<{ queueUrl: string; dlqUrl: string }> {
  const name = `contract-${randomUUID().slice(0, 8)}`;
  const fifo = { FifoQueue: 'true', ContentBasedDeduplication: 'false' };
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq.fifo`, Attributes: fifo }));
  const dlqUrl = dlq.QueueUrl ?? '';
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
  );
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${name}.fifo`,
      Attributes: {
        ...fifo,
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: 2 }),
      },
    }),
  );
  return { queueUrl: queue.QueueUrl ?? '', dlqUrl };
}

assemblyQueueContract('SQS FIFO', async () => {
  const { queueUrl, dlqUrl } = await queuePair();
  return {
    queue: new SqsAssemblyQueue(sqs, queueUrl),
    inbox: new SqsAssemblyInbox(sqs, queueUrl, 1),
    maxReceiveCount: 2,
    elapse: (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)),
    deadLetters: async () => {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10 }));
      return (out.Messages ?? []).map((m) => parseAssemblyMessage(m.Body) ?? '');
    },
    emptyPollMs: 10_000,
  };
});

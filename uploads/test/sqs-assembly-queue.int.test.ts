import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createSqsClient, parseAssemblyMessage, SqsAssemblyQueue } from '@lfusys/commons';
import { inject } from 'vitest';
import { assemblyQueueContract } from './assembly-queue-contract.ts';

const sqs = createSqsClient({ region: 'us-east-1', endpoint: inject('awsEndpoint') });

assemblyQueueContract('SQS FIFO', async () => {
  const { QueueUrl = '' } = await sqs.send(
    new CreateQueueCommand({
      QueueName: `producer-${randomUUID().slice(0, 8)}.fifo`,
      Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
    }),
  );
  const dead = createSqsClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' });
  return {
    queue: new SqsAssemblyQueue(sqs, QueueUrl),
    sent: async () => {
      const ids: string[] = [];
      for (;;) {
        const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
        if (!out.Messages?.length) return ids;
        ids.push(...out.Messages.map((m) => parseAssemblyMessage(m.Body) ?? ''));
      }
    },
    unreachable: () => new SqsAssemblyQueue(dead, QueueUrl),
  };
});

import { AppError } from '@lfusys/commons';
import type { AssemblyQueue } from '../ports/sessions-port.ts';

/**
 * The assembly queue as the workers use it (send, and never wait for the assembly), in memory:
 * every upload sent, in order. `unavailable` makes sends fail as SqsAssemblyQueue's do when SQS
 * cannot be reached. (Delivery, deduplication and redrive are the consumer's side: sessions'
 * MemoryAssemblyQueue and its contract suite.)
 */
export class MemoryAssemblyQueue implements AssemblyQueue {
  readonly sent: string[] = [];
  unavailable = false;

  async enqueue(uploadId: string): Promise<void> {
    if (this.unavailable) throw new AppError('unavailable', 'assembly queue unavailable');
    this.sent.push(uploadId);
  }
}

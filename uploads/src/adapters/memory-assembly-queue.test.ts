import { assemblyQueueContract } from '../../test/assembly-queue-contract.ts';
import { MemoryAssemblyQueue } from './memory-assembly-queue.ts';

assemblyQueueContract('memory', async () => {
  const queue = new MemoryAssemblyQueue();
  const broken = new MemoryAssemblyQueue();
  broken.unavailable = true;
  return { queue, sent: async () => [...queue.sent], unreachable: () => broken };
});

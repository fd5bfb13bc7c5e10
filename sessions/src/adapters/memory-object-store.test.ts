import { objectStoreContract } from '../../test/object-store-contract.ts';
import { MemoryObjectStore } from './memory-object-store.ts';

objectStoreContract('memory', async () => {
  const store = new MemoryObjectStore();
  return { store, putPart: async (_key, id, partNumber, bytes) => store.putPart(id, partNumber, bytes) };
});

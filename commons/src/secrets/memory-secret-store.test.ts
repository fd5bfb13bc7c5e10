import { randomUUID } from 'node:crypto';
import { secretStoreContract } from '../../test/secret-store-contract.ts';
import { MemorySecretStore } from './memory-secret-store.ts';

secretStoreContract('memory', async () => {
  const store = new MemorySecretStore();
  return {
    store,
    newSecret: async () => {
      const id = `test/${randomUUID()}`;
      store.create(id);
      return id;
    },
  };
});

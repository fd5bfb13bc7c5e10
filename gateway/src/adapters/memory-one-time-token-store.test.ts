import { oneTimeTokenStoreContract } from '../../test/one-time-token-store-contract.ts';
import { MemoryOneTimeTokenStore } from './memory-one-time-token-store.ts';

oneTimeTokenStoreContract('memory', async () => new MemoryOneTimeTokenStore());

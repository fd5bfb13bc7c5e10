import { refreshTokenStoreContract } from '../../test/refresh-token-store-contract.ts';
import { MemoryRefreshTokenStore } from './memory-refresh-token-store.ts';

refreshTokenStoreContract('memory', async () => new MemoryRefreshTokenStore());

import { identityRepositoryContract } from '../../test/identity-repository-contract.ts';
import { MemoryIdentityRepository } from './memory-identity-repository.ts';

identityRepositoryContract('memory', async () => new MemoryIdentityRepository());

import { randomUUID } from 'node:crypto';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { inject } from 'vitest';
import { createSecretsManagerClient } from '../src/aws/clients.ts';
import { SecretsManagerSecretStore } from '../src/secrets/secrets-manager-secret-store.ts';
import { secretStoreContract } from './secret-store-contract.ts';

secretStoreContract('Secrets Manager (moto)', async () => {
  const client = createSecretsManagerClient({ region: 'us-east-1', endpoint: inject('awsEndpoint') });
  return {
    store: new SecretsManagerSecretStore(client),
    // As Terraform creates them: a secret without a value.
    newSecret: async () => {
      const name = `test/${randomUUID()}`;
      await client.send(new CreateSecretCommand({ Name: name }));
      return name;
    },
  };
});

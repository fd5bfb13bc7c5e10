import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SecretStage, SecretStore, SecretVersion } from './secret-store.ts';

const STAGE_LABELS: Record<SecretStage, string> = { current: 'AWSCURRENT', previous: 'AWSPREVIOUS' };

/**
 * SecretStore on AWS Secrets Manager. A secret without a version at the stage answers
 * ResourceNotFoundException (as does a missing secret: the put then fails loudly); a put whose
 * ClientRequestToken names an existing version with another value answers ResourceExistsException
 * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutSecretValue.html).
 */
export class SecretsManagerSecretStore implements SecretStore {
  constructor(private readonly client: SecretsManagerClient) {}

  async read(secretId: string, stage: SecretStage = 'current'): Promise<SecretVersion | undefined> {
    try {
      const out = await this.client.send(
        new GetSecretValueCommand({ SecretId: secretId, VersionStage: STAGE_LABELS[stage] }),
      );
      if (out.SecretString === undefined || out.VersionId === undefined) return undefined;
      return { value: out.SecretString, versionId: out.VersionId };
    } catch (err) {
      if (err instanceof ResourceNotFoundException) return undefined;
      throw err; // as the SDK threw it: start-up retries SDK errors (commons/src/startup.ts)
    }
  }

  async put(secretId: string, value: string, versionId: string): Promise<boolean> {
    try {
      await this.client.send(
        new PutSecretValueCommand({ SecretId: secretId, SecretString: value, ClientRequestToken: versionId }),
      );
      return true;
    } catch (err) {
      if (err instanceof ResourceExistsException) return false;
      throw err;
    }
  }
}

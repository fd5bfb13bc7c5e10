import { randomUUID } from 'node:crypto';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import {
  createLogger,
  createSecretsManagerClient,
  loadConfig,
  publishSecret,
  SecretsManagerSecretStore,
} from '@lfusys/commons';
import { generateDevTls } from '@lfusys/commons/dev-secrets';
import type {} from '@lfusys/commons/vitest-global-setup';
import { describe, expect, inject, it } from 'vitest';
import { gatewayConfigSchema } from '../src/config.ts';
import { gatewayKeySourcesSchema, gatewayKeyValues } from '../src/keys.ts';

/** The gateway's start in AWS, against moto's Secrets Manager: secrets created empty, as Terraform does. */
describe('the gateway’s keys from Secrets Manager', () => {
  const endpoint = inject('awsEndpoint');
  const client = createSecretsManagerClient({ region: 'us-east-1', endpoint });
  const logger = createLogger({ service: 'test', level: 'silent' });

  async function emptySecrets() {
    const prefix = `t-${randomUUID().slice(0, 12)}`;
    const names = [
      'JWT_PRIVATE_KEYS',
      'GATEWAY_SESSIONS_CALLER_KEY',
      'GATEWAY_SESSIONS_CALLER_PUBLIC_KEY',
      'SESSIONS_GRPC_TLS_CA',
    ];
    for (const name of names) await client.send(new CreateSecretCommand({ Name: `${prefix}/${name}` }));
    const env = {
      AWS_ENDPOINT_URL: endpoint,
      RESOURCE_PREFIX: prefix,
      CSRF_SECRET: 'x'.repeat(32),
      JWT_PRIVATE_KEYS_SECRET_ID: `${prefix}/JWT_PRIVATE_KEYS`,
      SESSIONS_CALLER_KEY_SECRET_ID: `${prefix}/GATEWAY_SESSIONS_CALLER_KEY`,
      SESSIONS_CALLER_PUBLIC_KEY_SECRET_ID: `${prefix}/GATEWAY_SESSIONS_CALLER_PUBLIC_KEY`,
      SESSIONS_TLS_CA_SECRET_ID: `${prefix}/SESSIONS_GRPC_TLS_CA`,
    };
    const ca = (await generateDevTls()).caPem;
    await publishSecret(new SecretsManagerSecretStore(client), env.SESSIONS_TLS_CA_SECRET_ID, ca);
    return { env, ca };
  }

  it('makes its keys on the first start, the same for tasks starting together, into a valid config', async () => {
    const { env, ca } = await emptySecrets();
    const sources = loadConfig(gatewayKeySourcesSchema, env);
    const [a, b] = await Promise.all([gatewayKeyValues(sources, logger), gatewayKeyValues(sources, logger)]);
    expect(b).toEqual(a);
    expect(a.SESSIONS_TLS_CA_PEM).toBe(ca);
    const config = loadConfig(gatewayConfigSchema, { ...env, ...a });
    expect(config.JWT_PRIVATE_KEYS).toHaveLength(1);
    expect(config.SESSIONS_CALLER_KEY.kid).toBeTruthy();
    expect(await gatewayKeyValues(sources, logger)).toEqual(a);
  });

  it('takes plain values over the secrets, and without either refuses to start naming the key', async () => {
    const { env } = await emptySecrets();
    const plain = { ...env, JWT_PRIVATE_KEYS: '[]' };
    const values = await gatewayKeyValues(loadConfig(gatewayKeySourcesSchema, plain), logger);
    expect(values.JWT_PRIVATE_KEYS).toBeUndefined();
    const { JWT_PRIVATE_KEYS_SECRET_ID: _unset, ...withoutSource } = env;
    expect(() => loadConfig(gatewayConfigSchema, withoutSource)).toThrow(/JWT_PRIVATE_KEYS/);
  });
});

import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import {
  callerKeyValues,
  createCallerTokenSigner,
  createLogger,
  createSecretsManagerClient,
  generateEd25519Jwk,
  keyProvisioning,
  SecretsManagerSecretStore,
} from '@lfusys/commons';
import { generateDevTls } from '@lfusys/commons/dev-secrets';
import { bootstrapPrefix, freePort } from '@lfusys/commons/local-aws';
import type {} from '@lfusys/commons/vitest-global-setup';
import { createSessionsClient } from '@lfusys/proto/sessions-client';
import { type ServiceProcess, spawnService } from '@lfusys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

/**
 * Keys as in AWS: every secret created empty (as Terraform does), two sessions processes started at
 * once making their TLS certificate, and callers that create and publish their keys after sessions
 * started — all through moto's Secrets Manager, with real processes and real gRPC over TLS.
 */
const entry = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const endpoint = () => inject('awsEndpoint');
const logger = createLogger({ service: 'test', level: 'silent' });

let prefix: string;
let ids: Record<'gatewayKey' | 'gatewayPublic' | 'uploadsPublic' | 'tls' | 'tlsCa', string>;
let processes: { process: ServiceProcess; grpcPort: number }[] = [];

async function startSessionsProcess() {
  const [grpcPort, opsPort] = await Promise.all([freePort(), freePort()]);
  const process = await spawnService({
    name: `sessions-${grpcPort}`,
    entry,
    env: {
      AWS_ENDPOINT_URL: endpoint(),
      RESOURCE_PREFIX: prefix,
      LOG_LEVEL: 'warn',
      GRPC_PORT: String(grpcPort),
      OPS_PORT: String(opsPort),
      GRPC_CALLER_PUBLIC_KEY_SECRET_IDS: `gateway=${ids.gatewayPublic},uploads=${ids.uploadsPublic}`,
      GRPC_TLS_SECRET_ID: ids.tls,
      GRPC_TLS_CA_SECRET_ID: ids.tlsCa,
      GRPC_TLS_NAME: 'localhost',
    },
    readyUrl: `http://127.0.0.1:${opsPort}/readyz`,
  });
  return { process, grpcPort };
}

/** The certificate names GRPC_TLS_NAME (`localhost` here), so clients reach each process by that name. */
const target = (index = 0) => `localhost:${processes[index]?.grpcPort}`;
/** The gateway's start: its caller key created and published, sessions' CA awaited (src/keys.ts). */
const gatewayStart = () =>
  callerKeyValues(
    {
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: endpoint(),
      AWS_SOCKET_TIMEOUT_MS: 10_000,
      STARTUP_RETRY_MS: 20_000,
      SESSIONS_CALLER_KEY_SECRET_ID: ids.gatewayKey,
      SESSIONS_CALLER_PUBLIC_KEY_SECRET_ID: ids.gatewayPublic,
      SESSIONS_TLS_CA_SECRET_ID: ids.tlsCa,
    } as Parameters<typeof callerKeyValues>[0],
    () =>
      keyProvisioning(
        {
          AWS_REGION: 'us-east-1',
          AWS_ENDPOINT_URL: endpoint(),
          AWS_SOCKET_TIMEOUT_MS: 10_000,
          STARTUP_RETRY_MS: 20_000,
        },
        logger,
      ),
  );

beforeAll(async () => {
  prefix = `t-${randomUUID().slice(0, 12)}`;
  await bootstrapPrefix(prefix, endpoint());
  const client = createSecretsManagerClient({ region: 'us-east-1', endpoint: endpoint() });
  ids = {
    gatewayKey: `${prefix}/GATEWAY_SESSIONS_CALLER_KEY`,
    gatewayPublic: `${prefix}/GATEWAY_SESSIONS_CALLER_PUBLIC_KEY`,
    uploadsPublic: `${prefix}/UPLOADS_SESSIONS_CALLER_PUBLIC_KEY`,
    tls: `${prefix}/SESSIONS_GRPC_TLS`,
    tlsCa: `${prefix}/SESSIONS_GRPC_TLS_CA`,
  };
  await Promise.all(Object.values(ids).map((Name) => client.send(new CreateSecretCommand({ Name }))));
}, 60_000);
afterAll(async () => {
  await Promise.all(processes.map((p) => p.process.stop('SIGKILL')));
});

describe('keys provisioned through Secrets Manager', () => {
  it('a caller waits for sessions’ certificate, and two sessions started at once make one', async () => {
    const caller = gatewayStart();
    processes = await Promise.all([startSessionsProcess(), startSessionsProcess()]);
    const values = await caller;
    const store = new SecretsManagerSecretStore(
      createSecretsManagerClient({ region: 'us-east-1', endpoint: endpoint() }),
    );
    expect(values.SESSIONS_TLS_CA_PEM).toBe((await store.read(ids.tlsCa))?.value);
    expect(await store.read(ids.tls, 'previous')).toBeUndefined();

    // Published after sessions loaded its keys: the first unknown kid makes it read them again.
    // Both processes serve the one certificate the published CA vouches for.
    const sign = await createCallerTokenSigner('gateway', JSON.parse(values.SESSIONS_CALLER_KEY as string));
    for (const index of [0, 1]) {
      const client = createSessionsClient({
        address: target(index),
        sign,
        tlsCaPem: values.SESSIONS_TLS_CA_PEM,
        deadlineMs: 10_000,
      });
      try {
        for (let i = 0; i < 2; i++) await expect(client.listUploads({ userId: randomUUID() })).resolves.toBeDefined();
      } finally {
        client.close();
      }
    }
    // A second start of the gateway gets the same key.
    expect((await gatewayStart()).SESSIONS_CALLER_KEY).toBe(values.SESSIONS_CALLER_KEY);
  });

  it('refuses a caller whose key is not the published one', async () => {
    const { SESSIONS_TLS_CA_PEM } = await gatewayStart();
    const client = createSessionsClient({
      address: target(),
      sign: await createCallerTokenSigner('gateway', await generateEd25519Jwk()),
      tlsCaPem: SESSIONS_TLS_CA_PEM,
      deadlineMs: 5000,
    });
    try {
      // The caller's own credential refused: `internal` from the client wrapper (security.md).
      await expect(client.listUploads({ userId: randomUUID() })).rejects.toMatchObject({ code: 'internal' });
    } finally {
      client.close();
    }
  });

  it('a client trusting another certificate than the published one does not connect', async () => {
    const { SESSIONS_CALLER_KEY } = await gatewayStart();
    const client = createSessionsClient({
      address: target(),
      sign: await createCallerTokenSigner('gateway', JSON.parse(SESSIONS_CALLER_KEY as string)),
      tlsCaPem: (await generateDevTls()).caPem,
      deadlineMs: 2000,
    });
    try {
      await expect(client.listUploads({ userId: randomUUID() })).rejects.toMatchObject({
        code: expect.stringMatching(/^(unavailable|deadline_exceeded)$/),
      });
    } finally {
      client.close();
    }
  });
});

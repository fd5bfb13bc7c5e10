import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { generateEd25519Jwk, loadConfig } from '@lfusys/commons';
import { bootstrapPrefix } from '@lfusys/commons/local-aws';
import { newCredentials, signUp, startStack, TestClient } from '@lfusys/testkit';

export { newCredentials, TestClient };

import type {} from '@lfusys/commons/vitest-global-setup';
import type { FastifyInstance } from 'fastify';
import type { JWK } from 'jose';
import { inject } from 'vitest';
import { createGatewayDeps } from '../src/compose.ts';
import { type GatewayConfig, gatewayConfigSchema } from '../src/config.ts';
import { buildApp } from '../src/http/app.ts';

export interface RunningGateway {
  baseUrl: string;
  api: string;
  app: FastifyInstance;
  config: GatewayConfig;
  signingJwk: JWK;
  /** Where this gateway writes mail (read it with readOutbox from @lfusys/testkit). */
  outboxDir: string;
  close(): Promise<void>;
}

export function uniquePrefix(): string {
  return `t-${randomUUID().slice(0, 12)}`;
}

/** Starts a real gateway on a loopback port against the test emulator, with a sessions process behind it. */
export async function startGateway(
  env: Record<string, string> = {},
  sessionsEnv: Record<string, string> = {},
): Promise<RunningGateway> {
  const endpoint = inject('awsEndpoint');
  const prefix = env.RESOURCE_PREFIX ?? uniquePrefix();
  await bootstrapPrefix(prefix, endpoint);
  const sessions = await startStack({ endpoint, prefix, env: { sessions: { LOG_LEVEL: 'warn', ...sessionsEnv } } });
  const signingJwk = await generateEd25519Jwk();
  const config = loadConfig(gatewayConfigSchema, {
    AWS_ENDPOINT_URL: endpoint,
    RESOURCE_PREFIX: prefix,
    PORT: '0',
    PUBLIC_ORIGIN: 'http://localhost:8080',
    COOKIE_SECURE: 'false',
    JWT_PRIVATE_KEYS: JSON.stringify([signingJwk]),
    CSRF_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
    RATE_LIMIT_AUTH_PER_IP_PER_MINUTE: '10000',
    RATE_LIMIT_GLOBAL_PER_MINUTE: '100000',
    SESSIONS_ADDRESS: sessions.sessionsAddress,
    SESSIONS_CALLER_KEY: JSON.stringify(sessions.callerKeys.gateway),
    SESSIONS_TLS_CA_PEM: sessions.sessionsTlsCaPem,
    // The stack's own (unique, removed when it stops).
    MAIL_OUTBOX_DIR: sessions.outboxDir,
    ...env,
  });
  const deps = await createGatewayDeps(config);
  const app = await buildApp(config, deps);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    api: `${baseUrl}/api/v1`,
    app,
    config,
    signingJwk,
    outboxDir: config.MAIL_OUTBOX_DIR,
    close: async () => {
      await app.close();
      await sessions.stop();
    },
  };
}

/** Registers and signs in a fresh user; returns the client holding its cookies. */
export function signedInClient(gw: RunningGateway) {
  return signUp(gw.api);
}

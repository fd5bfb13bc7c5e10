import { randomBytes, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEd25519Jwk } from '@lfusys/commons/core';
import { generateDevTls, newCallerKeys, type TestCallerKeys } from '@lfusys/commons/dev-secrets';
import { bootstrapPrefix, freePort } from '@lfusys/commons/local-aws';
import type { JWK } from 'jose';
import { type ServiceProcess, spawnService } from './service-process.ts';

/** A service's entry point, found by package name (each service exports `./main`), never by path. */
const entry = (service: 'gateway' | 'sessions' | 'uploads') =>
  createRequire(import.meta.url).resolve(`@lfusys/${service}/main`);

export interface StackOptions {
  endpoint: string;
  prefix?: string;
  /** Which services to run; sessions always runs (the others need it). */
  gateway?: boolean;
  uploads?: boolean;
  uploadsWorkers?: number;
  /** A built web app (frontend/dist) for the gateway to serve; its origin becomes the app origin. */
  webAppDir?: string;
  /** Extra environment per service, e.g. small chunk sizes for sessions. */
  env?: { sessions?: Record<string, string>; gateway?: Record<string, string>; uploads?: Record<string, string> };
  /** The gateway's port, for a test that must know the origin before start (a provider's redirect URI); default a free one. */
  gatewayPort?: number;
  /** How long each process may take to answer /readyz (30 s by default; long soaks on a slow emulator need more). */
  readyTimeoutMs?: number;
}

/** The backend as real processes on loopback ports, against one emulator and one resource prefix. */
export interface Stack {
  prefix: string;
  endpoint: string;
  sessionsAddress: string;
  sessionsOps: string;
  /** `http://127.0.0.1:port/api/v1`, when the gateway runs. */
  gatewayApi: string;
  gatewayBase: string;
  uploadsBase: string;
  processes: { sessions: ServiceProcess; gateway?: ServiceProcess; uploads?: ServiceProcess };
  /** The gateway's private signing key (a JWK), for tests that forge or skew tokens. */
  signingJwk: JWK;
  /** The keys the gateway and uploads sign their calls to sessions with (tests that call sessions as one of them). */
  callerKeys: TestCallerKeys;
  /** The CA of sessions' TLS certificate (sessions serves gRPC over TLS in every stack). */
  sessionsTlsCaPem: string;
  /** Where the gateway writes mail (one .eml file per message), unique to this stack. */
  outboxDir: string;
  /** Starts sessions again on the same ports (after a test stopped or killed it). */
  restartSessions(): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

const newPrefix = () => `t-${randomUUID().slice(0, 12)}`;

export async function startStack(options: StackOptions): Promise<Stack> {
  const prefix = options.prefix ?? newPrefix();
  const [grpcPort, opsPort, gatewayPort, uploadsPort] = await Promise.all([
    freePort(),
    freePort(),
    options.gatewayPort ?? freePort(),
    freePort(),
  ]);
  const gatewayBase = `http://127.0.0.1:${gatewayPort}`;
  // Served by the gateway, the app shares its origin; otherwise a Vite dev server's.
  const appOrigin = options.webAppDir ? gatewayBase : 'http://localhost:5173';
  await bootstrapPrefix(prefix, options.endpoint, [appOrigin]);
  const common = {
    AWS_ENDPOINT_URL: options.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    RESOURCE_PREFIX: prefix,
    LOG_LEVEL: 'info',
  };
  const sessionsAddress = `127.0.0.1:${grpcPort}`;
  const sessionsOps = `http://127.0.0.1:${opsPort}`;
  const uploadsBase = `http://127.0.0.1:${uploadsPort}`;
  const outboxDir = join(tmpdir(), `lfusys-outbox-${prefix}`);
  const [callerKeys, tls] = await Promise.all([newCallerKeys(), generateDevTls()]);

  const startSessions = () =>
    spawnService({
      name: 'sessions',
      entry: entry('sessions'),
      env: {
        ...common,
        GRPC_PORT: String(grpcPort),
        OPS_PORT: String(opsPort),
        // Most e2e tests drive the uploads workers, so opens that name no transfer relay here;
        // the product's default is direct, and direct-mode tests ask for it (or set this key).
        UPLOAD_TRANSFER_DEFAULT: 'relay',
        GRPC_CALLER_PUBLIC_KEYS: callerKeys.publicKeys,
        GRPC_TLS_CERT_PEM: tls.certPem,
        GRPC_TLS_KEY_PEM: tls.keyPem,
        ...options.env?.sessions,
      },
      readyUrl: `${sessionsOps}/readyz`,
      ...(options.readyTimeoutMs ? { timeoutMs: options.readyTimeoutMs } : {}),
    });
  const signingJwk = await generateEd25519Jwk();
  const processes: Stack['processes'] = { sessions: await startSessions() };
  try {
    if (options.gateway || options.uploads) {
      processes.gateway = await spawnService({
        name: 'gateway',
        entry: entry('gateway'),
        env: {
          ...common,
          PORT: String(gatewayPort),
          PUBLIC_ORIGIN: appOrigin,
          COOKIE_SECURE: 'false',
          JWT_PRIVATE_KEYS: JSON.stringify([signingJwk]),
          CSRF_SECRET: randomBytes(32).toString('hex'),
          SESSIONS_ADDRESS: sessionsAddress,
          SESSIONS_CALLER_KEY: JSON.stringify(callerKeys.gateway),
          SESSIONS_TLS_CA_PEM: tls.caPem,
          UPLOADS_PUBLIC_URL: uploadsBase,
          RATE_LIMIT_AUTH_PER_IP_PER_MINUTE: '10000',
          RATE_LIMIT_GLOBAL_PER_MINUTE: '100000',
          MAIL_OUTBOX_DIR: outboxDir,
          // Users signed up by tests are unverified; sessions' USER_QUOTA_BYTES stays their quota
          // unless a test sets this key to try the unverified quota itself.
          UNVERIFIED_QUOTA_BYTES: String(Number.MAX_SAFE_INTEGER),
          ...(options.webAppDir ? { STATIC_DIR: options.webAppDir } : {}),
          ...options.env?.gateway,
        },
        readyUrl: `${gatewayBase}/readyz`,
        ...(options.readyTimeoutMs ? { timeoutMs: options.readyTimeoutMs } : {}),
      });
    }
    if (options.uploads) {
      processes.uploads = await spawnService({
        name: 'uploads',
        entry: entry('uploads'),
        env: {
          ...common,
          PORT: String(uploadsPort),
          WORKERS: String(options.uploadsWorkers ?? 2),
          SESSIONS_ADDRESS: sessionsAddress,
          SESSIONS_CALLER_KEY: JSON.stringify(callerKeys.uploads),
          SESSIONS_TLS_CA_PEM: tls.caPem,
          JWKS_URL: `${gatewayBase}/api/v1/.well-known/jwks.json`,
          CORS_ORIGINS: appOrigin,
          ...options.env?.uploads,
        },
        readyUrl: `${uploadsBase}/readyz`,
        ...(options.readyTimeoutMs ? { timeoutMs: options.readyTimeoutMs } : {}),
      });
    }
  } catch (err) {
    await Promise.all(Object.values(processes).map((p) => p?.stop('SIGKILL')));
    throw err;
  }
  return {
    prefix,
    endpoint: options.endpoint,
    sessionsAddress,
    sessionsOps,
    gatewayApi: `${gatewayBase}/api/v1`,
    gatewayBase,
    uploadsBase,
    processes,
    signingJwk,
    callerKeys,
    sessionsTlsCaPem: tls.caPem,
    outboxDir,
    async restartSessions() {
      processes.sessions = await startSessions();
      return processes.sessions;
    },
    async stop() {
      await Promise.all(Object.values(processes).map((p) => p?.stop('SIGKILL')));
      await rm(outboxDir, { recursive: true, force: true });
    },
  };
}

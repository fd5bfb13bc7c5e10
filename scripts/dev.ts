/**
 * `make dev`: the whole system on one machine. Finds or starts the AWS emulator, creates every
 * resource, starts the services with development settings, and prints the URL to open.
 * Stop with Ctrl-C; every child process is stopped with it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDynamoClient, createS3Client, createSqsClient } from '@lfusys/commons';
import { startDevIdentityProvider } from '@lfusys/commons/dev-identity-provider';
import { type DevSecrets, generateDevSecrets } from '@lfusys/commons/dev-secrets';
import { bootstrapResources, defineResources, startEmulator } from '@lfusys/commons/local-aws';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.PORT ?? 8080);
const publicOrigin = `http://localhost:${port}`;
// People type either loopback name: the gateway's origin check, the uploads workers' CORS and the
// bucket's CORS rule accept both (sign-in with the `dev` provider returns to PUBLIC_ORIGIN only).
const appOrigins = [publicOrigin, `http://127.0.0.1:${port}`];
const prefix = process.env.RESOURCE_PREFIX ?? 'lfusys-local';
const region = process.env.AWS_REGION ?? 'us-east-1';
const idpPort = Number(process.env.DEV_IDP_PORT ?? 8090);
/**
 * Spans go to .local/traces as OTLP/JSON lines (`make trace UPLOAD=<id>` reads them), every trace
 * sampled and flushed each second; an OTEL_TRACES_EXPORTER of your own (a local Jaeger: `otlp`)
 * replaces the files.
 */
const tracesDir = process.env.TRACES_DIR ?? join(root, '.local', 'traces');
const tracing: Record<string, string> = process.env.OTEL_TRACES_EXPORTER
  ? {}
  : { TRACES_DIR: tracesDir, OTEL_BSP_SCHEDULE_DELAY: process.env.OTEL_BSP_SCHEDULE_DELAY ?? '1000' };

/**
 * Development secrets (user-token and caller keys, CSRF secret, a dev CA and sessions' certificate)
 * are generated once and kept in .local/ (git-ignored) so sign-ins survive restarts; a file from an
 * older version gains the secrets it lacks.
 */
async function devSecrets(): Promise<DevSecrets> {
  const file = join(root, '.local', 'dev-secrets.json');
  const stored = (await readFile(file, 'utf8').then(JSON.parse, () => ({}))) as Partial<DevSecrets>;
  const secrets = { ...(await generateDevSecrets()), ...stored };
  if (Object.keys(stored).length < Object.keys(secrets).length) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets;
}

function startService(name: 'sessions' | 'gateway' | 'uploads', env: Record<string, string>): ChildProcess {
  // Each service exports its entry point from its package.json: found by name, not by path.
  const entry = createRequire(import.meta.url).resolve(`@lfusys/${name}/main`);
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', '@lfusys/commons/telemetry/register', entry], {
    cwd: root,
    env: { ...process.env, OTEL_SERVICE_NAME: name, ...tracing, ...env },
    stdio: 'inherit',
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[dev] ${name} exited (${signal ?? code}); stopping`);
      void stop(1);
    }
  });
  return child;
}

let stopping = false;
const children: ChildProcess[] = [];
let stopEmulator: () => Promise<void> = async () => {};
let stopIdentityProvider: () => Promise<void> = async () => {};

async function stop(code: number): Promise<never> {
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
  await stopIdentityProvider();
  await stopEmulator();
  process.exit(code);
}

async function main(): Promise<void> {
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  const emulator = await startEmulator({
    endpoint: process.env.AWS_ENDPOINT_URL,
    port: Number(process.env.EMULATOR_PORT ?? 4566),
  });
  stopEmulator = emulator.stop;
  console.log(`[dev] AWS emulator (${emulator.kind}) at ${emulator.endpoint}`);
  const aws = { region, endpoint: emulator.endpoint };
  await bootstrapResources(
    { dynamo: createDynamoClient(aws), s3: createS3Client(aws), sqs: createSqsClient(aws) },
    // The bucket's CORS lets the app's pages PUT direct-transfer parts and GET downloads.
    defineResources({ prefix, corsOrigins: appOrigins }),
  );
  console.log(`[dev] resources ready (prefix ${prefix})`);

  console.log('[dev] building the web app (frontend/dist)…');
  await run(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: join(root, 'frontend'),
  });

  // The `dev` provider of "Sign in with …": a local OpenID Connect provider whose page asks only for an email.
  const devClient = { clientId: 'lfusys-dev', clientSecret: randomBytes(24).toString('base64url') };
  const idp = await startDevIdentityProvider({
    port: idpPort,
    clients: [{ ...devClient, redirectUris: [`${publicOrigin}/api/v1/auth/oidc/dev/callback`] }],
  });
  stopIdentityProvider = idp.close;
  console.log(`[dev] dev identity provider at ${idp.issuer}`);

  const shared = { AWS_ENDPOINT_URL: emulator.endpoint, AWS_REGION: region, RESOURCE_PREFIX: prefix };
  const secrets = await devSecrets();
  // gRPC to sessions over TLS (a dev CA), every call signed with the caller's own key.
  const toSessions = { SESSIONS_ADDRESS: '127.0.0.1:50051', SESSIONS_TLS_CA_PEM: secrets.SESSIONS_TLS_CA_PEM };
  // Account mail (verify your email, reset your password) lands here as one .eml file per message.
  const outbox = join(root, '.local', 'outbox');
  children.push(
    startService('sessions', {
      ...shared,
      GRPC_PORT: '50051',
      OPS_PORT: '9091',
      GRPC_CALLER_PUBLIC_KEYS: secrets.GRPC_CALLER_PUBLIC_KEYS,
      GRPC_TLS_CERT_PEM: secrets.GRPC_TLS_CERT_PEM,
      GRPC_TLS_KEY_PEM: secrets.GRPC_TLS_KEY_PEM,
    }),
  );
  await waitFor('http://127.0.0.1:9091/readyz');
  children.push(
    startService('gateway', {
      ...shared,
      JWT_PRIVATE_KEYS: secrets.JWT_PRIVATE_KEYS,
      CSRF_SECRET: secrets.CSRF_SECRET,
      ...toSessions,
      SESSIONS_CALLER_KEY: secrets.GATEWAY_SESSIONS_CALLER_KEY,
      PORT: String(port),
      PUBLIC_ORIGIN: publicOrigin,
      CORS_ORIGINS: appOrigins.join(','),
      COOKIE_SECURE: 'false',
      UPLOADS_PUBLIC_URL: 'http://localhost:8081',
      // Direct transfer: the browser PUTs parts to the URLs sessions presigns on the emulator
      // (path-style, same endpoint), so the CSP must let the app connect there.
      STORAGE_ORIGIN: new URL(emulator.endpoint).origin,
      STATIC_DIR: join(root, 'frontend', 'dist'),
      OIDC_PROVIDERS: JSON.stringify([{ id: 'dev', name: 'Dev sign-in (local)', issuer: idp.issuer, ...devClient }]),
      MAIL_TRANSPORT: 'outbox',
      MAIL_OUTBOX_DIR: outbox,
    }),
  );
  await waitFor(`http://127.0.0.1:${port}/readyz`);
  children.push(
    startService('uploads', {
      ...shared,
      PORT: '8081',
      WORKERS: process.env.WORKERS ?? '2',
      ...toSessions,
      SESSIONS_CALLER_KEY: secrets.UPLOADS_SESSIONS_CALLER_KEY,
      JWKS_URL: `http://127.0.0.1:${port}/api/v1/.well-known/jwks.json`,
      CORS_ORIGINS: appOrigins.join(','),
    }),
  );
  await waitFor('http://127.0.0.1:8081/readyz');
  console.log(
    `\n  lfusys is running — open ${publicOrigin}\n  API docs: ${publicOrigin}/api/v1/docs\n  uploads workers: http://localhost:8081, sessions gRPC (TLS, dev CA): 127.0.0.1:50051, storage: ${emulator.endpoint}\n  mail (verification and reset links): ${outbox} (read it with: make outbox)\n  traces: ${
      tracing.TRACES_DIR
        ? `${tracesDir} (one upload's: make trace UPLOAD=<id>)`
        : `OTEL_TRACES_EXPORTER=${process.env.OTEL_TRACES_EXPORTER}`
    }\n`,
  );
}

function run(command: string, args: string[], options: { cwd: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(' ')} exited with ${code}`))));
  });
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not become ready`);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
main().catch(async (err: unknown) => {
  console.error(`[dev] ${err instanceof Error ? err.message : String(err)}`);
  await stop(1);
});

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDevSecrets, parseEnvFile } from '@lfusys/commons/dev-secrets';
import { LOCALSTACK_IMAGE } from '@lfusys/commons/local-aws';
import { gatewayConfigSchema } from '@lfusys/gateway/config';
import { uploadsConfigSchema } from '@lfusys/uploads/config';
import { describe, expect, it, onTestFinished } from 'vitest';
import { composeSchemaValidator, loadCompose, withoutHostVariables } from './support/compose.ts';
import { type Json, root, source } from './support/hcl.ts';

/**
 * docker compose with nothing on the host but Docker (issue 15): secrets from a one-shot `keys`
 * service, a pinned emulator (LocalStack, or moto without a token), ports on loopback only, and
 * the app usable from either loopback name. No Docker here: these read the file as Compose does,
 * and run the pieces that can run without it (dev-keys, the entrypoint, the health check).
 */
const compose = loadCompose();
const text = source('docker-compose.yml');
const services = compose.services;
/** The services built from our images that run the system (not the one-shots, not the emulator). */
const RUNNING = ['sessions', 'gateway', 'uploads-1', 'uploads-2'];
const env = (name: string): Record<string, string> => (services[name]?.environment ?? {}) as Record<string, string>;
const origins = (list: string | undefined) => new Set((list ?? '').split(',').filter(Boolean));

/** The text of one stage of a Dockerfile, from its FROM to the next. */
function stage(dockerfile: string, name: string): string {
  const stages = source(dockerfile).split(/^(?=FROM )/m);
  const found = stages.find((s) => new RegExp(`^FROM \\S+ AS ${name}$`, 'm').test(s));
  if (!found) throw new Error(`${dockerfile} has no stage ${name}`);
  return found;
}
/** The exec-form CMD of a stage. */
const cmd = (stageText: string): string[] => JSON.parse(/^CMD (\[.*\])$/m.exec(stageText)?.[1] ?? 'null');

describe('docker-compose.yml', () => {
  it('follows the Compose specification: no unknown key, no misspelt option', () => {
    const validate = composeSchemaValidator();
    expect(validate(compose), JSON.stringify(validate.errors)).toBe(true);
  });

  it('needs no host variable: every variable reference has a default (none that aborts like :?)', () => {
    const references = [...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1] as string);
    expect(references.length).toBeGreaterThan(0);
    for (const reference of references) expect(reference, reference).toMatch(/^[A-Z_]+:-/);
  });

  it('publishes every port on 127.0.0.1 only, the emulator included', () => {
    const published = Object.values(services).flatMap((s) => (s.ports ?? []) as unknown[]);
    expect(published.length).toBeGreaterThanOrEqual(4);
    for (const port of published) expect(port).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    expect(services.emulator?.ports).toEqual(['127.0.0.1:4566:4566']);
  });
});

describe('secrets: a one-shot keys service, kept across ups', () => {
  it('keys runs dev-keys --write-env from the keys stage of sessions/Dockerfile on the keys volume', () => {
    expect(services.keys?.build).toEqual({ context: '.', dockerfile: 'sessions/Dockerfile', target: 'keys' });
    expect(services.keys?.volumes).toEqual(['keys:/keys']);
    expect(services.keys?.restart).toBe('no');
    expect(compose.volumes).toHaveProperty('keys');
    const keysStage = stage('sessions/Dockerfile', 'keys');
    expect(cmd(keysStage)).toEqual([
      'node',
      '--enable-source-maps',
      'dist/dev-keys.mjs',
      '--write-env',
      '/keys/keys.env',
    ]);
    expect(keysStage).toContain('COPY --from=build /src/scripts/dist/dev-keys ./dist');
    // A new named volume takes the mount point's owner: the service user must be able to write it.
    expect(keysStage).toMatch(/mkdir \/keys && chown node:node \/keys\nUSER node/);
    expect(stage('sessions/Dockerfile', 'build')).toContain('node scripts/bundle-service.mjs dev-keys');
    // Each one-shot's stage copies the directory its bundle is written to, and runs that file.
    const bundler = source('scripts/bundle-service.mjs');
    for (const name of ['bootstrap', 'dev-keys']) {
      expect(bundler).toContain(`outfile: 'scripts/dist/${name}/${name}.mjs'`);
      const oneShot = stage('sessions/Dockerfile', name === 'dev-keys' ? 'keys' : name);
      expect(oneShot).toContain(`COPY --from=build /src/scripts/dist/${name} ./dist`);
      expect(cmd(oneShot)).toContain(`dist/${name}.mjs`);
    }
  });

  for (const name of RUNNING) {
    it(`${name} waits for keys, reads the volume read-only and sources keys.env before its image's command`, () => {
      const service = services[name] as Json;
      expect(service.depends_on?.keys).toEqual({ condition: 'service_completed_successfully' });
      expect(service.volumes).toEqual(['keys:/keys:ro']);
      const [shell, flag, script] = service.entrypoint as string[];
      expect([shell, flag]).toEqual(['sh', '-c']);
      // A caller of sessions takes its own key from the file as SESSIONS_CALLER_KEY.
      const callerKey = name === 'gateway' ? 'GATEWAY' : name.startsWith('uploads') ? 'UPLOADS' : undefined;
      const setKey = callerKey ? ` && SESSIONS_CALLER_KEY="$${callerKey}_SESSIONS_CALLER_KEY"` : '';
      expect(withoutHostVariables(script as string)).toBe(`set -a && . /keys/keys.env${setKey} && set +a && exec "$@"`);
      // An entrypoint clears the image's CMD: compose repeats it, and must repeat it exactly.
      const dockerfile = (service.build as Json).dockerfile as string;
      expect(service.command).toEqual(cmd(stage(dockerfile, 'runtime')));
    });
  }

  it('dev-keys writes the file once, keeps it on the next run, and the entrypoint hands it to node', async () => {
    // The file holds private keys: it goes when the test does, whatever its outcome.
    const dir = mkdtempSync(join(tmpdir(), 'compose-keys-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'keys.env');
    const devKeys = () =>
      spawnSync(process.execPath, ['--import', 'tsx', 'scripts/dev-keys.ts', '--write-env', file], {
        cwd: root,
        encoding: 'utf8',
      });
    const first = devKeys();
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain(`generated ${Object.keys(await generateDevSecrets()).join(', ')}`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const written = readFileSync(file, 'utf8');
    // Names only in the log, never a value.
    for (const value of Object.values(parseEnvFile(written))) expect(first.stdout).not.toContain(value);

    const second = devKeys();
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toContain(': kept ');
    expect(readFileSync(file, 'utf8')).toBe(written);

    const script = withoutHostVariables(String(services.gateway?.entrypoint?.[2]));
    const printEnv = [process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.env))'];
    const run = spawnSync('sh', ['-c', script.replace('/keys/keys.env', file), 'with-keys', ...printEnv], {
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    const received = JSON.parse(run.stdout) as Record<string, string>;
    expect(received).toMatchObject(parseEnvFile(written));
    expect(gatewayConfigSchema.shape.JWT_PRIVATE_KEYS.safeParse(received.JWT_PRIVATE_KEYS).success).toBe(true);
    expect(gatewayConfigSchema.shape.CSRF_SECRET.safeParse(received.CSRF_SECRET).success).toBe(true);
    // The gateway calls sessions with its own key, which sessions' public map lists under "gateway",
    // over TLS with the CA that issued sessions' certificate (in the same file).
    expect(received.SESSIONS_CALLER_KEY).toBe(received.GATEWAY_SESSIONS_CALLER_KEY);
    expect(gatewayConfigSchema.shape.SESSIONS_CALLER_KEY.safeParse(received.SESSIONS_CALLER_KEY).success).toBe(true);
    const callerKid = (JSON.parse(String(received.SESSIONS_CALLER_KEY)) as { kid: string }).kid;
    const publicKeys = JSON.parse(String(received.GRPC_CALLER_PUBLIC_KEYS)) as Record<string, { kid: string }[]>;
    expect(publicKeys.gateway?.map((key) => key.kid)).toEqual([callerKid]);
    expect(gatewayConfigSchema.shape.SESSIONS_TLS_CA_PEM.safeParse(received.SESSIONS_TLS_CA_PEM).success).toBe(true);
  }, 60_000);
});

describe('the emulator: LocalStack pinned, moto without a token, the same endpoint', () => {
  const emulator = services.emulator as Json;

  it('defaults to the exact LocalStack release the test kit uses', () => {
    expect(withoutHostVariables(emulator.image)).toBe(LOCALSTACK_IMAGE);
    expect(LOCALSTACK_IMAGE).toMatch(/^localstack\/localstack:\d+\.\d+\.\d+$/);
  });

  it('passes LOCALSTACK_AUTH_TOKEN through from the host, and stores none', () => {
    // `$` + `{NAME:-}`: the host's value, or empty.
    expect(emulator.environment.LOCALSTACK_AUTH_TOKEN).toBe(['$', '{LOCALSTACK_AUTH_TOKEN:-}'].join(''));
  });

  it('documents moto as an exact 5.2 release, the same in the file and the README', () => {
    const motoIn = (doc: string) => [...doc.matchAll(/AWS_EMULATOR_IMAGE=(motoserver\/moto:\S+)/g)].map((m) => m[1]);
    expect(motoIn(text).length, 'docker-compose.yml names it').toBeGreaterThan(0);
    expect(motoIn(source('README.md')).length, 'README names it').toBeGreaterThan(0);
    const named = new Set([...motoIn(text), ...motoIn(source('README.md'))]);
    expect([...named]).toHaveLength(1);
    expect([...named][0]).toMatch(/^motoserver\/moto:5\.2\.\d+$/);
  });

  it('moto listens where LocalStack does, and every service and the bootstrap use that endpoint', () => {
    expect(emulator.environment.MOTO_PORT).toBe('4566');
    for (const name of ['bootstrap', ...RUNNING]) expect(env(name).AWS_ENDPOINT_URL, name).toBe('http://emulator:4566');
    expect(new URL(env('sessions').S3_PUBLIC_ENDPOINT_URL ?? '').port).toBe('4566');
    expect(services.bootstrap?.depends_on).toEqual({ emulator: { condition: 'service_healthy' } });
    expect(services.sessions?.depends_on?.bootstrap).toEqual({ condition: 'service_completed_successfully' });
  });

  describe("the health check (run here with python3, as in either image, against a stand-in on the emulator's port)", () => {
    const [kind, program, flag, script] = emulator.healthcheck.test as string[];
    // Asynchronously: the stand-in answers from this process's event loop.
    const check = (port: number) =>
      new Promise<number | null>((resolve) => {
        const args = [flag as string, (script as string).replaceAll('4566', String(port))];
        spawn(program as string, args, { stdio: 'ignore', timeout: 30_000 }).on('exit', resolve);
      });
    const standIn = async (answers: Record<string, number>) => {
      const server = createServer((request, response) => response.writeHead(answers[request.url ?? ''] ?? 404).end());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
      return { port: (server.address() as AddressInfo).port, close };
    };

    it('is healthy when LocalStack answers its health path, or moto its API', async () => {
      expect(kind).toBe('CMD');
      for (const answers of [{ '/_localstack/health': 200 }, { '/moto-api/': 200 }] as Array<Record<string, number>>) {
        const server = await standIn(answers);
        try {
          expect(await check(server.port), JSON.stringify(answers)).toBe(0);
        } finally {
          await server.close();
        }
      }
    }, 60_000);

    it('is unhealthy when neither answers, or nothing listens', async () => {
      const server = await standIn({});
      try {
        expect(await check(server.port)).toBe(1);
      } finally {
        await server.close();
      }
      expect(await check(server.port)).toBe(1);
    }, 60_000);
  });
});

describe('the app works from http://localhost:8080 and http://127.0.0.1:8080', () => {
  const both = new Set(['http://localhost:8080', 'http://127.0.0.1:8080']);
  const gateway = env('gateway');

  it('the gateway accepts both origins (PUBLIC_ORIGIN + CORS_ORIGINS), and publishes that port', () => {
    expect(new Set([gateway.PUBLIC_ORIGIN, ...origins(gateway.CORS_ORIGINS)])).toEqual(both);
    expect(gatewayConfigSchema.shape.CORS_ORIGINS.safeParse(gateway.CORS_ORIGINS).success).toBe(true);
    expect(services.gateway?.ports).toEqual(['127.0.0.1:8080:8080']);
    // Plain http: a Secure cookie would never come back.
    expect(gateway.COOKIE_SECURE).toBe('false');
  });

  it('the uploads workers and the bucket CORS rule allow both', () => {
    for (const name of ['uploads-1', 'uploads-2']) {
      expect(origins(env(name).CORS_ORIGINS), name).toEqual(both);
      expect(uploadsConfigSchema.shape.CORS_ORIGINS.safeParse(env(name).CORS_ORIGINS).success).toBe(true);
    }
    expect(origins(env('bootstrap').CORS_ORIGINS)).toEqual(both);
  });

  it("the chunk URL the gateway hands out is uploads-1's published port", () => {
    const published = ((services['uploads-1']?.ports ?? []) as string[]).map((p) => p.split(':')[1]);
    expect(published).toEqual([new URL(gateway.UPLOADS_PUBLIC_URL ?? '').port]);
  });
});

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { access, constants, readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Our moto launcher: DynamoDB requests one at a time (see the file for why). */
const SERIALISED_MOTO = fileURLToPath(new URL('./moto_serialised.py', import.meta.url));

/**
 * The command that runs a moto_server executable through our launcher: the Python interpreter
 * named in its shebang. A pyenv shim (a shell script) has none and yields null.
 */
async function motoLauncher(bin: string): Promise<string[] | null> {
  const head = await readFile(bin, 'utf8').then(
    (text) => text.slice(0, 256).split('\n')[0] ?? '',
    () => '',
  );
  const interpreter = head.startsWith('#!') ? head.slice(2).trim() : '';
  return /python[\d.]*$/.test(interpreter) && !interpreter.includes(' ') ? [interpreter, SERIALISED_MOTO] : null;
}

export type EmulatorKind = 'external' | 'moto' | 'localstack';

export interface Emulator {
  kind: EmulatorKind;
  /** Base URL for every AWS client (S3, DynamoDB, SQS). */
  endpoint: string;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** An endpoint the user already runs (`AWS_ENDPOINT_URL`); used as is. */
  endpoint?: string | undefined;
  /** Port for a started emulator; 0 or unset picks a free one. */
  port?: number;
  /** Lowers S3's 5 MiB minimum part size in moto so tests can use small chunks. */
  s3PartMinSize?: number;
  onLog?: (line: string) => void;
}

/**
 * Finds or starts a local AWS emulator, in the order of DESIGN.md §6: an explicit endpoint, else
 * moto_server, else LocalStack through Docker, else an error saying what to install.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  if (options.endpoint) return { kind: 'external', endpoint: options.endpoint, stop: async () => {} };
  const moto = await findMotoServer();
  if (moto.length > 0) return startMoto(moto, options);
  if (await dockerAvailable()) return startLocalStack(options);
  throw new Error(
    'No AWS emulator found. Install moto (`pip install "moto[server]"`, which provides moto_server), ' +
      'or start Docker for LocalStack, or set AWS_ENDPOINT_URL to an S3/DynamoDB/SQS-compatible endpoint.',
  );
}

async function isExecutable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/**
 * Candidate moto_server executables: PATH first, then every pyenv-installed Python directly
 * (a pyenv shim fails when the active Python lacks moto, so the version folders are the robust path).
 */
export async function findMotoServer(): Promise<string[]> {
  const found: string[] = [];
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'moto_server');
    if (await isExecutable(candidate)) found.push(candidate);
  }
  const pyenvRoot = process.env.PYENV_ROOT ?? join(homedir(), '.pyenv');
  const versions = await readdir(join(pyenvRoot, 'versions')).catch(() => [] as string[]);
  for (const version of versions.sort().reverse()) {
    const candidate = join(pyenvRoot, 'versions', version, 'bin', 'moto_server');
    if (await isExecutable(candidate)) found.push(candidate);
  }
  return [...new Set(found)];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`emulator exited with code ${child.exitCode}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
      () => true,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`emulator did not answer at ${url} within ${timeoutMs} ms`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function startMoto(candidates: string[], options: EmulatorOptions): Promise<Emulator> {
  const failures: string[] = [];
  // Prefer executables we can run through the serialising launcher; plain moto_server is the fallback.
  const launchers: string[][] = [];
  for (const bin of candidates) {
    const launcher = await motoLauncher(bin);
    if (launcher) launchers.push(launcher);
  }
  for (const bin of candidates) launchers.push([bin]);
  for (const [bin = '', ...prefixArgs] of launchers) {
    const port = options.port || (await freePort());
    const env = {
      ...process.env,
      ...(options.s3PartMinSize ? { S3_UPLOAD_PART_MIN_SIZE: String(options.s3PartMinSize) } : {}),
    };
    const child = spawn(bin, [...prefixArgs, '-H', '127.0.0.1', '-p', String(port)], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        if (output.length < 50) output.push(line);
        options.onLog?.(line);
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('error', (err) => output.push(String(err)));
    const endpoint = `http://127.0.0.1:${port}`;
    try {
      await waitForHttp(`${endpoint}/moto-api/`, child, 30_000);
      return { kind: 'moto', endpoint, stop: () => stopChild(child) };
    } catch (err) {
      await stopChild(child);
      failures.push(`${[bin, ...prefixArgs].join(' ')}: ${(err as Error).message}\n${output.slice(-5).join('\n')}`);
    }
  }
  throw new Error(`moto_server would not start:\n${failures.join('\n')}`);
}

export function dockerAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 5000 }, (err) => resolve(!err));
  });
}

/**
 * The LocalStack image, here and in docker-compose.yml (infra/test checks): 4.14.0 is the last
 * release that starts without an account; newer ones exit unless LOCALSTACK_AUTH_TOKEN is set.
 */
export const LOCALSTACK_IMAGE = 'localstack/localstack:4.14.0';

/** LocalStack through testcontainers (pinned to 11.x: 12.x crashes on Node 20), imported only when Docker runs. */
async function startLocalStack(options: EmulatorOptions): Promise<Emulator> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const token = process.env.LOCALSTACK_AUTH_TOKEN;
  const container = await new GenericContainer(LOCALSTACK_IMAGE)
    .withEnvironment({ SERVICES: 's3,dynamodb,sqs', ...(token ? { LOCALSTACK_AUTH_TOKEN: token } : {}) })
    .withExposedPorts(options.port ? { container: 4566, host: options.port } : 4566)
    .withWaitStrategy(Wait.forLogMessage('Ready.'))
    .start();
  const endpoint = `http://${container.getHost()}:${container.getMappedPort(4566)}`;
  return { kind: 'localstack', endpoint, stop: async () => void (await container.stop()) };
}

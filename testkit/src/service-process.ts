import { type ChildProcess, spawn } from 'node:child_process';

/**
 * A service started the way users start it (`node --import tsx --import
 * @lfusys/commons/telemetry/register src/main.ts`, named by OTEL_SERVICE_NAME), for end-to-end tests.
 */
export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  /** Everything the process wrote to stdout and stderr so far (capped at the last 4 MiB). */
  output(): string;
  /** Sends `signal` and waits for the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

const OUTPUT_CAP = 4 * 1024 * 1024;

export interface SpawnServiceOptions {
  name: string;
  /** Absolute path of the entry module. */
  entry: string;
  env: Record<string, string>;
  /** Polled until it answers 200; the process is considered started then. */
  readyUrl: string;
  timeoutMs?: number;
}

/** Spawns a service process and waits until it is ready; fails with its output if it exits or never gets ready. */
export async function spawnService(options: SpawnServiceOptions): Promise<ServiceProcess> {
  const args = ['--import', 'tsx', '--import', '@lfusys/commons/telemetry/register', options.entry];
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, OTEL_SERVICE_NAME: options.name, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so stopping it also stops any workers it forked.
    detached: true,
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > OUTPUT_CAP) output = output.slice(-OUTPUT_CAP);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exitCode = code;
      resolve(code);
    }),
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name} did not start`);

  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (exitCode === undefined) {
      try {
        process.kill(signal === 'SIGKILL' ? -pid : pid, signal);
      } catch {
        // Already gone.
      }
    }
    return exited;
  };

  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(`${options.name} exited with ${exitCode} before it was ready:\n${output.slice(-4000)}`);
    }
    const ready = await fetch(options.readyUrl, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop('SIGKILL');
      throw new Error(`${options.name} was not ready at ${options.readyUrl} in time:\n${output.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { name: options.name, pid, output: () => output, stop, exited };
}

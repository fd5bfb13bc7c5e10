import { type ChildProcess, spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Upload } from 'tus-js-client';
import { now, transferBoundMs, withTimeout } from './time.ts';

/** Variant C: a tus server (`@tus/server` + `@tus/s3-store`) in its own process, fed by `tus-js-client`. */

const SERVER_ENTRY = fileURLToPath(new URL('./tus-server.ts', import.meta.url));

export interface TusSettings {
  /** S3Store `partSize` in bytes; undefined = its default (8 MiB). */
  partSize?: number | undefined;
  /** tus-js-client `chunkSize` in bytes; undefined = its default (Infinity: one PATCH for the whole file). */
  chunkSize?: number | undefined;
}

export interface TusServer {
  /** The creation endpoint, `http://127.0.0.1:port/files`. */
  endpoint: string;
  settings: TusSettings;
  pid: number;
  stop(): Promise<void>;
}

export async function startTusServer(s3Endpoint: string, bucket: string, settings: TusSettings): Promise<TusServer> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', SERVER_ENTRY], {
    env: {
      ...process.env,
      TUS_S3_ENDPOINT: s3Endpoint,
      TUS_BUCKET: bucket,
      ...(settings.partSize ? { TUS_PART_SIZE: String(settings.partSize) } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await withTimeout(
    new Promise<number>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /\{"port":(\d+)\}/.exec(output);
        if (match) resolve(Number(match[1]));
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.length > 100_000) output = output.slice(-50_000);
      });
      child.once('exit', (code) => reject(new Error(`tus server exited (${code}):\n${output.slice(-2000)}`)));
    }),
    30_000,
    'tus server start',
  );
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  return { endpoint: `http://127.0.0.1:${port}/files`, settings, pid: child.pid ?? 0, stop };
}

export interface TusUploadResult {
  bytes: number;
  /** upload.start() until onSuccess (the server answers the last PATCH after S3 completed the object). */
  totalMs: number;
  patches: number;
}

export async function uploadTus(server: TusServer, path: string, size: number): Promise<TusUploadResult> {
  let patches = 0;
  const t0 = now();
  let upload: Upload | undefined;
  const done = new Promise<void>((resolve, reject) => {
    upload = new Upload(createReadStream(path), {
      endpoint: server.endpoint,
      ...(server.settings.chunkSize ? { chunkSize: server.settings.chunkSize } : {}),
      metadata: { filename: `bench-${size}.bin`, filetype: 'application/octet-stream' },
      retryDelays: [0, 1000, 3000],
      storeFingerprintForResuming: false,
      onBeforeRequest: (req) => {
        if (req.getMethod() === 'PATCH') patches++;
      },
      onError: reject,
      onSuccess: () => resolve(),
    });
    upload.start();
  });
  try {
    await withTimeout(done, transferBoundMs(size) + 120_000, 'tus upload');
  } catch (err) {
    await upload?.abort(true).catch(() => {});
    throw err;
  }
  return { bytes: size, totalMs: now() - t0, patches };
}

import { describe, expect, it } from 'vitest';
import type { HashRequest, HashResponse } from './hash-protocol.ts';
import { subtleHasher } from './sha256.ts';
import { type HashWorker, WorkerHasher } from './worker-hasher.ts';

/** A worker the test answers by hand. */
class FakeWorker implements HashWorker {
  onmessage: ((event: MessageEvent<HashResponse>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  readonly received: HashRequest[] = [];
  terminated = false;

  postMessage(message: HashRequest): void {
    this.received.push(message);
  }
  terminate(): void {
    this.terminated = true;
  }
  answer(response: HashResponse): void {
    this.onmessage?.({ data: response } as MessageEvent<HashResponse>);
  }
  crash(message: string): void {
    this.onerror?.({ message } as ErrorEvent);
  }
}

function setup() {
  const workers: FakeWorker[] = [];
  const hasher = new WorkerHasher(() => {
    const worker = new FakeWorker();
    workers.push(worker);
    return worker;
  });
  return { hasher, workers };
}

describe('WorkerHasher', () => {
  it('starts the worker lazily and matches answers to requests by id', async () => {
    const { hasher, workers } = setup();
    expect(workers).toHaveLength(0);
    const a = new Blob(['a']);
    const b = new Blob(['b']);
    const first = hasher.sha256(a);
    const second = hasher.sha256(b);
    expect(workers).toHaveLength(1);
    const [worker] = workers;
    const [ra, rb] = worker?.received ?? [];
    expect(ra).toMatchObject({ kind: 'chunk', blob: a });
    expect(rb).toMatchObject({ kind: 'chunk', blob: b });
    expect(ra?.id).not.toBe(rb?.id);
    worker?.answer({ id: rb?.id ?? -1, sha256: 'hash-b' });
    worker?.answer({ id: ra?.id ?? -1, sha256: 'hash-a' });
    expect(await first).toBe('hash-a');
    expect(await second).toBe('hash-b');
  });

  it('rejects with the error the worker reports', async () => {
    const { hasher, workers } = setup();
    const result = hasher.sha256(new Blob(['x']));
    const request = workers[0]?.received[0];
    workers[0]?.answer({ id: request?.id ?? -1, error: 'NotReadableError' });
    await expect(result).rejects.toThrow('NotReadableError');
  });

  it('fails waiting requests when the worker crashes, and starts a new one next time', async () => {
    const { hasher, workers } = setup();
    const result = hasher.sha256(new Blob(['x']));
    workers[0]?.crash('boom');
    await expect(result).rejects.toThrow(/boom/);
    expect(workers[0]?.terminated).toBe(true);
    void hasher.sha256(new Blob(['y'])).catch(() => undefined);
    expect(workers).toHaveLength(2);
    hasher.dispose();
  });

  it('dispose terminates the worker and rejects what waits', async () => {
    const { hasher, workers } = setup();
    const result = hasher.sha256(new Blob(['x']));
    hasher.dispose();
    expect(workers[0]?.terminated).toBe(true);
    await expect(result).rejects.toThrow(/disposed/);
  });

  it('hashes a whole file in the same worker, and aborting tells the worker to stop reading it', async () => {
    const { hasher, workers } = setup();
    const file = new Blob(['the whole file']);
    const controller = new AbortController();
    const whole = hasher.sha256File(file, controller.signal);
    const chunk = hasher.sha256(new Blob(['a chunk']));
    const [worker] = workers;
    const [fileRequest, chunkRequest] = worker?.received ?? [];
    expect(workers).toHaveLength(1);
    expect(fileRequest).toMatchObject({ kind: 'file', blob: file });
    // A chunk asked for meanwhile is answered without waiting for the file.
    worker?.answer({ id: chunkRequest?.id ?? -1, sha256: 'chunk-hash' });
    expect(await chunk).toBe('chunk-hash');

    controller.abort();
    await expect(whole).rejects.toMatchObject({ name: 'AbortError' });
    expect(worker?.received.at(-1)).toEqual({ id: fileRequest?.id, kind: 'cancel' });
    // The worker's late answer is dropped.
    worker?.answer({ id: fileRequest?.id ?? -1, error: 'hashing the file was cancelled' });
    const next = hasher.sha256File(file, new AbortController().signal);
    const again = worker?.received.at(-1);
    worker?.answer({ id: again?.id ?? -1, sha256: 'ab'.repeat(32) });
    expect(await next).toBe('ab'.repeat(32));
  });

  it('falls back to hashing on the main thread when no worker can start', async () => {
    const hasher = new WorkerHasher(() => {
      throw new Error('Worker is not defined');
    });
    const blob = new Blob(['hello']);
    expect(await hasher.sha256(blob)).toBe(await subtleHasher.sha256(blob));
    expect(await hasher.sha256File(blob, new AbortController().signal)).toBe(
      '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
    );
  });
});

describe('subtleHasher', () => {
  it('gives the base64 SHA-256', async () => {
    expect(await subtleHasher.sha256(new Blob(['abc']))).toBe('ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
    expect(await subtleHasher.sha256(new Blob([]))).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
  });
});

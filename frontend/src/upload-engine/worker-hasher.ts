import { abortError } from './errors.ts';
import type { HashRequest, HashResponse } from './hash-protocol.ts';
import { subtleHasher } from './sha256.ts';
import type { Hasher, UploadSource } from './types.ts';

export { subtleHasher };

/** The part of `Worker` the hasher uses (tests pass a fake). */
export interface HashWorker {
  onmessage: ((event: MessageEvent<HashResponse>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  postMessage(message: HashRequest): void;
  terminate(): void;
}

interface Waiter {
  resolve(sha256: string): void;
  reject(error: Error): void;
}

/** Starts the hashing worker; written exactly like this so Vite bundles `hash.worker.ts`. */
function startHashWorker(): HashWorker {
  return new Worker(new URL('./hash.worker.ts', import.meta.url), { type: 'module' });
}

/**
 * Hashes in a module Web Worker so large uploads never freeze the page: each chunk before it is
 * sent, and the whole file while it uploads. The worker starts on the first request; answers are
 * matched to requests by id. When the worker cannot be started the
 * hasher falls back to `crypto.subtle` on the main thread.
 */
export class WorkerHasher implements Hasher {
  private worker: HashWorker | undefined;
  private fallback = false;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();

  constructor(private readonly createWorker: () => HashWorker = startHashWorker) {}

  sha256(blob: Blob): Promise<string> {
    const worker = this.fallback ? undefined : this.ensureWorker();
    if (!worker) return subtleHasher.sha256(blob);
    return this.ask(worker, (id) => ({ id, kind: 'chunk', blob }));
  }

  /** Hex SHA-256 of a whole file, read in slices by the worker; aborting stops the worker's reading. */
  sha256File(file: Pick<UploadSource, 'size' | 'slice'>, signal: AbortSignal): Promise<string> {
    if (signal.aborted) return Promise.reject(abortError());
    const worker = this.fallback ? undefined : this.ensureWorker();
    if (!worker) return subtleHasher.sha256File(file, signal);
    // A File is a Blob already; anything else is sliced whole (a reference to its bytes, not a copy).
    const blob = file instanceof Blob ? file : file.slice(0, file.size);
    let id = 0;
    const onAbort = () => {
      const waiter = this.waiting.get(id);
      if (!waiter) return;
      this.waiting.delete(id);
      this.worker?.postMessage({ id, kind: 'cancel' });
      waiter.reject(abortError('hashing the file was cancelled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    return this.ask(worker, (next) => {
      id = next;
      return { id, kind: 'file', blob };
    }).finally(() => signal.removeEventListener('abort', onAbort));
  }

  /** Stops the worker; requests still waiting reject. The next request starts a new worker. */
  dispose(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.failAll(new Error('hasher disposed'));
  }

  private ask(worker: HashWorker, request: (id: number) => HashRequest): Promise<string> {
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      try {
        worker.postMessage(request(id));
      } catch (error) {
        this.waiting.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  private ensureWorker(): HashWorker | undefined {
    if (this.worker) return this.worker;
    let worker: HashWorker;
    try {
      worker = this.createWorker();
    } catch {
      this.fallback = true;
      return undefined;
    }
    worker.onmessage = (event) => this.settle(event.data);
    worker.onerror = (event) => {
      // A crashed worker answers nothing more: fail what it holds and start afresh next time.
      worker.terminate();
      if (this.worker === worker) this.worker = undefined;
      this.failAll(new Error(`hash worker failed: ${event.message || 'unknown error'}`));
    };
    this.worker = worker;
    return worker;
  }

  private settle(response: HashResponse): void {
    const waiter = this.waiting.get(response.id);
    if (!waiter) return;
    this.waiting.delete(response.id);
    if ('sha256' in response) waiter.resolve(response.sha256);
    else waiter.reject(new Error(response.error));
  }

  private failAll(error: Error): void {
    const waiters = [...this.waiting.values()];
    this.waiting.clear();
    for (const waiter of waiters) waiter.reject(error);
  }
}

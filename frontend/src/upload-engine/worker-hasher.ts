import type { HashRequest, HashResponse } from './hash-protocol.ts';
import { subtleHasher } from './sha256.ts';
import type { Hasher } from './types.ts';

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
 * Hashes in a module Web Worker so large uploads never freeze the page. The worker starts on the
 * first request; answers are matched to requests by id. When the worker cannot be started the
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
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      try {
        worker.postMessage({ id, blob });
      } catch (error) {
        this.waiting.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Stops the worker; requests still waiting reject. The next request starts a new worker. */
  dispose(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.failAll(new Error('hasher disposed'));
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

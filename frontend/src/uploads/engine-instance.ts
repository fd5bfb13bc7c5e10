import { api } from '../api/client.ts';
import {
  alwaysOnline,
  browserNetwork,
  createHttpUploadServer,
  IndexedDbResumeStore,
  MemoryResumeStore,
  subtleHasher,
  UploadEngine,
  WorkerHasher,
} from '../upload-engine/index.ts';

let current: UploadEngine | undefined;
let worker: WorkerHasher | undefined;

/** The signed-in session's engine, created on first use; it outlives page changes and StrictMode remounts. */
export function currentUploadEngine(): UploadEngine {
  if (!current && typeof Worker !== 'undefined') worker = new WorkerHasher();
  current ??= new UploadEngine({
    server: createHttpUploadServer(api),
    // Hashing (each chunk, and the whole file) runs in a Web Worker so the page stays responsive.
    hasher: worker ?? subtleHasher,
    store: typeof indexedDB === 'undefined' ? new MemoryResumeStore() : new IndexedDbResumeStore(),
    // Offline, the engine waits (no attempts spent) and resumes on the `online` event.
    network: typeof window === 'undefined' ? alwaysOnline : browserNetwork(window),
    concurrency: 4,
  });
  return current;
}

/** Stops every transfer and forgets the engine (on sign-out); the next sign-in starts a new one. */
export function disposeUploadEngine(): void {
  current?.dispose();
  worker?.dispose();
  current = undefined;
  worker = undefined;
}

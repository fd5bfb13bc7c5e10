/**
 * Module Web Worker that hashes off the main thread, started by `WorkerHasher`: chunks (`{id,
 * kind: 'chunk', blob}` → base64) and whole files read in slices (`kind: 'file'` → hex), answered
 * `{id, sha256}` or `{id, error}`. Hashing a file yields between slices, so chunk requests that
 * arrive meanwhile are not held up behind it.
 */
import { sha256HexOfBlob } from './file-sha256.ts';
import type { HashRequest, HashResponse } from './hash-protocol.ts';
import { sha256Base64 } from './sha256.ts';

/** The part of the dedicated worker scope used here (the app compiles against the DOM lib). */
interface WorkerScope {
  addEventListener(type: 'message', listener: (event: MessageEvent<HashRequest>) => void): void;
  postMessage(message: HashResponse): void;
}

const scope = self as unknown as WorkerScope;
/** Files being hashed, and those of them cancelled meanwhile. */
const running = new Set<number>();
const cancelled = new Set<number>();

async function answer(request: HashRequest & { kind: 'chunk' | 'file' }): Promise<HashResponse> {
  if (request.kind === 'file') running.add(request.id);
  try {
    const sha256 =
      request.kind === 'chunk'
        ? await sha256Base64(request.blob)
        : await sha256HexOfBlob(request.blob, () => cancelled.has(request.id));
    return { id: request.id, sha256 };
  } catch (error) {
    return { id: request.id, error: error instanceof Error ? error.message : String(error) };
  } finally {
    running.delete(request.id);
    cancelled.delete(request.id);
  }
}

scope.addEventListener('message', (event) => {
  const request = event.data;
  if (request.kind === 'cancel') {
    if (running.has(request.id)) cancelled.add(request.id);
    return;
  }
  void answer(request).then((response) => scope.postMessage(response));
});

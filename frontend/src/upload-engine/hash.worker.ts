/**
 * Module Web Worker that hashes chunks off the main thread: `{id, blob}` in, `{id, sha256}` or
 * `{id, error}` out. Started by `WorkerHasher`.
 */
import type { HashRequest, HashResponse } from './hash-protocol.ts';
import { sha256Base64 } from './sha256.ts';

/** The part of the dedicated worker scope used here (the app compiles against the DOM lib). */
interface WorkerScope {
  addEventListener(type: 'message', listener: (event: MessageEvent<HashRequest>) => void): void;
  postMessage(message: HashResponse): void;
}

const scope = self as unknown as WorkerScope;

async function answer(request: HashRequest): Promise<HashResponse> {
  try {
    return { id: request.id, sha256: await sha256Base64(request.blob) };
  } catch (error) {
    return { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
}

scope.addEventListener('message', (event) => {
  void answer(event.data).then((response) => scope.postMessage(response));
});

/** Messages between {@link WorkerHasher} and `hash.worker.ts`. */

/** Main thread → worker: hash this blob. */
export interface HashRequest {
  id: number;
  blob: Blob;
}

/** Worker → main thread: the base64 SHA-256 of request `id`, or why it could not be computed. */
export type HashResponse = { id: number; sha256: string } | { id: number; error: string };

/** Messages between {@link WorkerHasher} and `hash.worker.ts`. */

/**
 * Main thread → worker: hash one chunk (base64 answer), hash a whole file in slices (hex answer),
 * or stop hashing the file of request `id` (answered with an error, if it was still running).
 */
export type HashRequest =
  | { id: number; kind: 'chunk'; blob: Blob }
  | { id: number; kind: 'file'; blob: Blob }
  | { id: number; kind: 'cancel' };

/** Worker → main thread: the SHA-256 of request `id`, or why it could not be computed. */
export type HashResponse = { id: number; sha256: string } | { id: number; error: string };

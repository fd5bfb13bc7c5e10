import { createSHA256 } from 'hash-wasm';
import { abortError } from './errors.ts';

/** Bytes read at a time while hashing a whole file: only this much of it is in memory at once. */
export const FILE_HASH_SLICE_BYTES = 4 * 1024 * 1024;

/** The part of a `Blob` (or `File`) that hashing reads. */
export interface Sliceable {
  readonly size: number;
  slice(start: number, end: number): Blob;
}

/**
 * Hex SHA-256 of a whole blob, read slice by slice and hashed incrementally (hash-wasm), so a file
 * of any size never sits in memory. `cancelled` is asked between slices; true stops with an
 * AbortError.
 */
export async function sha256HexOfBlob(
  blob: Sliceable,
  cancelled: () => boolean = () => false,
  sliceBytes: number = FILE_HASH_SLICE_BYTES,
): Promise<string> {
  const hasher = await createSHA256();
  hasher.init();
  for (let start = 0; start < blob.size; start += sliceBytes) {
    if (cancelled()) throw abortError('hashing the file was cancelled');
    const end = Math.min(blob.size, start + sliceBytes);
    hasher.update(new Uint8Array(await blob.slice(start, end).arrayBuffer()));
  }
  if (cancelled()) throw abortError('hashing the file was cancelled');
  return hasher.digest('hex');
}

import type { Hasher, UploadSource } from './types.ts';

/** Bytes hashed at each end of a file. */
export const FINGERPRINT_EDGE_BYTES = 64 * 1024;

/**
 * Identifies a local file across page reloads without reading all of it: name, size, last
 * modification time and the SHA-256 of the first and last 64 KiB (of the whole file when it is
 * at most 128 KiB). Picking the same file again gives the same string.
 */
export async function fingerprint(source: UploadSource, hasher: Hasher): Promise<string> {
  const { name, size, lastModified } = source;
  let sample: string[];
  if (size <= 2 * FINGERPRINT_EDGE_BYTES) {
    sample = [await hasher.sha256(source.slice(0, size))];
  } else {
    const [head, tail] = await Promise.all([
      hasher.sha256(source.slice(0, FINGERPRINT_EDGE_BYTES)),
      hasher.sha256(source.slice(size - FINGERPRINT_EDGE_BYTES, size)),
    ]);
    sample = [head, tail];
  }
  return JSON.stringify(['v1', name, size, lastModified, ...sample]);
}

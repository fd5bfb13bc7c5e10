import { createHash } from 'node:crypto';

/**
 * The hex SHA-256 and length of a stream of chunks, hashed as they arrive: memory stays at one
 * chunk whatever the object's size (a 5 GiB file is verified at assembly, DESIGN §9.2).
 */
export async function sha256OfStream(chunks: AsyncIterable<Uint8Array>): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of chunks) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/**
 * Rules about uploads that more than one service checks, written once: the forms of a SHA-256
 * and the length of each chunk. The patterns come as strings too, for JSON schemas. This module
 * imports nothing, so the web app bundles it (`@lfusys/commons/upload-rules`); services take it
 * from `@lfusys/commons/core`.
 */

/** Hex SHA-256 of a whole file, as `sha256sum` prints it (either case; stored lower-case). DESIGN §9.2. */
export const SHA256_HEX_PATTERN = '^[0-9a-fA-F]{64}$';
export const SHA256_HEX = new RegExp(SHA256_HEX_PATTERN);

/**
 * Base64 SHA-256 of one part (44 characters with padding), the form S3 takes in
 * `x-amz-checksum-sha256` (https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html).
 */
export const SHA256_BASE64_PATTERN = '^[A-Za-z0-9+/]{43}=$';
export const SHA256_BASE64 = new RegExp(SHA256_BASE64_PATTERN);

/** How a file is cut: every chunk but the last has exactly `chunkSize` bytes. */
export interface ChunkLayout {
  size: number;
  chunkSize: number;
  totalChunks: number;
}

/** The exact byte length of chunk `index` (0-based, below `totalChunks`): the last one takes the rest. */
export function expectedChunkLength(layout: ChunkLayout, index: number): number {
  if (index < layout.totalChunks - 1) return layout.chunkSize;
  return layout.size - layout.chunkSize * (layout.totalChunks - 1);
}

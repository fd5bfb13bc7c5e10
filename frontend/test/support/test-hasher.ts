import { sha256HexOfBlob } from '../../src/upload-engine/file-sha256.ts';
import { subtleHasher } from '../../src/upload-engine/sha256.ts';
import type { Hasher, UploadSource } from '../../src/upload-engine/types.ts';

/** Slices of the whole-file hash in the engine's tests: small, so tests see a file read in many of them. */
export const TEST_FILE_SLICE_BYTES = 16 * 1024;

/** The real hashes on the test's thread, with the whole-file hash scriptable (held, or failing). */
export class TestHasher implements Hasher {
  /** Whole-file hashes started. */
  fileHashes = 0;
  /** The size of every blob hashed with `sha256` (chunks, and the fingerprint's samples). */
  readonly hashedSizes: number[] = [];
  /** Makes whole-file hashing fail (as a browser that cannot hash would). */
  fileFailure: Error | undefined;
  private gate: Promise<void> | undefined;
  private open: () => void = () => undefined;

  sha256(blob: Blob): Promise<string> {
    this.hashedSizes.push(blob.size);
    return subtleHasher.sha256(blob);
  }

  async sha256File(file: Pick<UploadSource, 'size' | 'slice'>, signal: AbortSignal): Promise<string> {
    this.fileHashes++;
    if (this.gate) await this.gate;
    if (this.fileFailure) throw this.fileFailure;
    return sha256HexOfBlob(file, () => signal.aborted, TEST_FILE_SLICE_BYTES);
  }

  /** Whole-file hashes wait from now on until {@link release}. */
  hold(): void {
    this.gate = new Promise<void>((resolve) => {
      this.open = resolve;
    });
  }

  release(): void {
    this.gate = undefined;
    this.open();
  }
}

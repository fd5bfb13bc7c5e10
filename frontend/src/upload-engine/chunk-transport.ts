import type { ChunkResponse, Clock, ServerUploadState, TransferMode, UploadServer } from './types.ts';

/** One chunk to send: its bytes and their base64 SHA-256. */
export interface ChunkToSend {
  index: number;
  body: Blob;
  /** Base64 SHA-256 of `body`. */
  sha256: string;
  signal: AbortSignal;
  /** Called as bytes leave (cumulative bytes of this attempt); drives progress and stall detection. */
  onProgress(loadedBytes: number): void;
  /**
   * Called by a transport whose bytes reach storage before the server records them (direct), once
   * storage holds them: only the server's confirmation remains, so the chunk gives its request slot
   * to the next one and no longer counts as a transfer that may stall. A transport whose answer is
   * the recording itself (relay) never calls it.
   */
  onStored?(): void;
  /**
   * No chunk of the upload is left to start after this one (the others are sent or being sent): a
   * transport that holds confirmations for a fuller batch holds them until its PUTs end instead,
   * so the last ones go in one request after the last PUT rather than one request racing it.
   */
  lastOut?: boolean;
}

/** A chunk about to be sent: its index, the SHA-256 of its bytes and their length. */
export interface ChunkToPrepare {
  index: number;
  /** Base64 SHA-256 of the chunk's bytes. */
  sha256: string;
  length: number;
}

/**
 * How one upload's chunks reach the server. The engine sends every chunk through this interface
 * and never asks which implementation it holds: retries, stall detection, pauses, parallelism and
 * progress are the engine's, the wire is the transport's.
 */
export interface ChunkTransport {
  readonly mode: TransferMode;
  /**
   * Bumped whenever {@link refresh} changes what requests are sent with (a relay token): a chunk
   * refused with 401 under an older version is simply sent again.
   */
  readonly version: number;
  /**
   * Sends one chunk and resolves with the server's verdict: 2xx once the chunk is recorded (and
   * `complete` when that completed the set), or the refusal as an HTTP status with its code.
   * Rejects on a network failure or an abort, like a request with no answer.
   */
  send(chunk: ChunkToSend): Promise<ChunkResponse>;
  /**
   * A hint that `chunk` is among the next to leave: a transport that needs something from the
   * server before it can send (direct: a signed URL) may get it now, so that round trip is off the
   * chunk's path. Never fails; `send` does whatever the hint did not.
   */
  prepare?(chunk: ChunkToPrepare): void;
  /** The server described the upload again (`GET /uploads/:id`): take any fresh credentials. */
  refresh(state: ServerUploadState): void;
}

/** What the server said about where an upload's chunks go. */
export interface ChunkTarget {
  uploadId: string;
  transfer?: TransferMode;
  uploadUrl?: string;
  uploadToken?: string;
}

/** The transports' needs from the engine. */
export interface TransportDeps {
  server: UploadServer;
  clock: Clock;
}

import type { ChunkToSend, ChunkTransport } from './chunk-transport.ts';
import type { ChunkResponse, ServerUploadState, UploadServer } from './types.ts';

/**
 * Chunks through the uploads workers (DESIGN.md §3): `PUT {uploadUrl}/chunks/{index}` with the
 * upload token and the chunk's SHA-256 in `x-chunk-sha256`; a 200 means the worker stored and
 * recorded the chunk. A renewed token (after a 401) arrives through {@link refresh}. Each chunk
 * joins its upload's trace (`traceUploadId`).
 */
export class RelayTransport implements ChunkTransport {
  readonly mode = 'relay';
  version = 0;

  constructor(
    private readonly server: UploadServer,
    private readonly uploadId: string,
    private uploadUrl: string,
    private token: string,
  ) {}

  send(chunk: ChunkToSend): Promise<ChunkResponse> {
    return this.server.put({
      url: `${this.uploadUrl.replace(/\/+$/, '')}/chunks/${chunk.index}`,
      headers: {
        Authorization: `Bearer ${this.token}`,
        'Content-Type': 'application/octet-stream',
        'x-chunk-sha256': chunk.sha256,
      },
      body: chunk.body,
      signal: chunk.signal,
      onProgress: chunk.onProgress,
      traceUploadId: this.uploadId,
    });
  }

  refresh(state: ServerUploadState): void {
    const token = state.uploadToken ?? this.token;
    const uploadUrl = state.uploadUrl ?? this.uploadUrl;
    if (token === this.token && uploadUrl === this.uploadUrl) return;
    this.token = token;
    this.uploadUrl = uploadUrl;
    this.version++;
  }
}

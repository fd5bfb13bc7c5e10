/**
 * The PUT side of the fake server: every PUT of bytes (relay chunks and presigned parts alike) is
 * recorded as a {@link ChunkCall} that tests can script (answer, fail, stall, hold).
 */
import type { ChunkResponse, Clock, PutRequest, TransferMode } from '../../src/upload-engine/types.ts';

/** How the fake answers one PUT. */
export type ChunkBehaviour =
  /** Answer this status; `record` stores the bytes first (as if the answer got lost on the way back). */
  | ForcedAnswer
  /** Reject like a dropped connection. */
  | 'network-error'
  /** Never answer, never report progress: only an abort ends it. */
  | 'stall'
  /** Keep the request open until the test calls `respond` (or it is aborted). */
  | 'hold';

export interface ForcedAnswer {
  status: number;
  retryAfterSeconds?: number;
  record?: boolean;
}

/** Where a PUT went, read from its URL and headers. */
export interface PutRoute {
  readonly uploadId: string;
  readonly index: number;
  readonly mode: TransferMode;
  /** The bearer token (relay), '' for storage. */
  readonly token: string;
  /** The base64 SHA-256 the request declared (`x-chunk-sha256`, or `x-amz-checksum-sha256`). */
  readonly sha256: string;
}

/** One PUT as the fake saw it. */
export interface ChunkCall extends PutRoute {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly size: number;
  readonly body: Blob;
  /** 1 for the first PUT of this index of this upload. */
  readonly attempt: number;
  /** Clock time when the PUT arrived. */
  readonly at: number;
  readonly signal: AbortSignal;
  onProgress(loaded: number): void;
  /** Answers a held request (default: accept it as the real server would). */
  respond(behaviour?: ChunkBehaviour): void;
  settled: boolean;
  aborted: boolean;
}

function abortError(): Error {
  return new DOMException('aborted', 'AbortError');
}

/** Records and scripts PUTs; the subclass says where they go and answers them like the real servers. */
export abstract class FakePutEndpoint {
  /** Decides the answer to each PUT (undefined: behave like the real server). */
  onChunk: (call: ChunkCall) => ChunkBehaviour | undefined = () => undefined;
  readonly calls: ChunkCall[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(protected readonly clock?: Clock) {}

  /** Requests still open (held or stalled). */
  get open(): ChunkCall[] {
    return this.calls.filter((call) => !call.settled);
  }

  callsFor(index: number): ChunkCall[] {
    return this.calls.filter((call) => call.index === index);
  }

  async put(request: PutRequest): Promise<ChunkResponse> {
    const route = this.route(request);
    const call: ChunkCall = {
      ...route,
      url: request.url,
      headers: request.headers,
      size: request.body.size,
      body: request.body,
      attempt: this.calls.filter((c) => c.uploadId === route.uploadId && c.index === route.index).length + 1,
      at: this.clock?.now() ?? 0,
      signal: request.signal,
      onProgress: (loaded) => request.onProgress(loaded),
      respond: () => undefined,
      settled: false,
      aborted: false,
    };
    this.calls.push(call);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (request.signal.aborted) throw abortError();
      const behaviour = this.onChunk(call) ?? { status: 200 };
      if (behaviour === 'stall' || behaviour === 'hold') return await this.hold(call);
      await Promise.resolve();
      if (request.signal.aborted) throw abortError();
      if (behaviour === 'network-error') throw new TypeError('network error');
      return this.answer(call, behaviour);
    } catch (error) {
      if (request.signal.aborted) call.aborted = true;
      throw error;
    } finally {
      call.settled = true;
      this.inFlight--;
    }
  }

  protected abstract route(request: PutRequest): PutRoute;

  /** Answers like the real server, unless the script forces a status. */
  protected abstract answer(call: ChunkCall, forced: ForcedAnswer): ChunkResponse;

  private hold(call: ChunkCall): Promise<ChunkResponse> {
    return new Promise<ChunkResponse>((resolve, reject) => {
      let done = false;
      const onAbort = () => {
        if (done) return;
        done = true;
        reject(abortError());
      };
      call.signal.addEventListener('abort', onAbort, { once: true });
      call.respond = (behaviour = { status: 200 }) => {
        if (done) return;
        done = true;
        call.signal.removeEventListener('abort', onAbort);
        if (behaviour === 'network-error') reject(new TypeError('network error'));
        else if (behaviour === 'stall' || behaviour === 'hold') throw new Error('respond with a status');
        else resolve(this.answer(call, behaviour));
      };
    });
  }
}

/**
 * Test doubles for the upload engine: a manual clock, an in-memory server behind the `Transport`
 * interface that tests can script, and Blob-backed sources. Not part of the public API.
 */
import type { NetworkPort } from './network-port.ts';
import {
  ApiError,
  type ChunkResponse,
  type Clock,
  type PutChunkRequest,
  type ServerUploadState,
  type ServerUploadStatus,
  type Transport,
  type UploadPlan,
  type UploadSource,
} from './types.ts';

/** One real macrotask turn (lets platform work such as `crypto.subtle` finish); no clock time passes. */
export function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => {
    globalThis.setTimeout(resolve, 0);
  });
}

/** A few real turns: enough for pending promise chains (and quick platform work) to run. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await nextTurn();
}

/** Waits, turn by turn, until `condition` holds; throws after `maxTurns` (no clock time passes). */
export async function until(condition: () => boolean, what = 'condition', maxTurns = 2000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (condition()) return;
    await nextTurn();
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A device network the test switches on and off (fires listeners like the browser's events). */
export class FakeNetwork implements NetworkPort {
  private online = true;
  private readonly listeners = new Set<(online: boolean) => void>();

  isOnline(): boolean {
    return this.online;
  }

  subscribe(listener: (online: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  set(online: boolean): void {
    if (online === this.online) return;
    this.online = online;
    for (const listener of [...this.listeners]) listener(online);
  }
}

interface ManualTimer {
  at: number;
  callback: () => void;
}

/** A clock that only moves when told; timers run in due order, with async work settling in between. */
export class ManualClock implements Clock {
  private time: number;
  private nextHandle = 1;
  private readonly timers = new Map<number, ManualTimer>();

  constructor(start = 1_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const handle = this.nextHandle++;
    this.timers.set(handle, { at: this.time + Math.max(0, ms), callback });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.timers.delete(handle);
  }

  /** Delays (from now) of the timers still pending, ascending. */
  pendingDelays(): number[] {
    return [...this.timers.values()].map((timer) => timer.at - this.time).sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, running every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await settle();
    for (;;) {
      const due = this.nextDue(target);
      if (!due) break;
      const [handle, timer] = due;
      this.timers.delete(handle);
      this.time = timer.at;
      timer.callback();
      await settle();
    }
    this.time = target;
    await settle();
  }

  private nextDue(target: number): [number, ManualTimer] | undefined {
    let best: [number, ManualTimer] | undefined;
    for (const entry of this.timers) {
      if (entry[1].at > target) continue;
      if (!best || entry[1].at < best[1].at) best = entry;
    }
    return best;
  }
}

/** A test source with the bytes it is made of, recording which ranges were read. */
export interface TestSource extends UploadSource {
  readonly bytes: Uint8Array;
  readonly slices: [number, number][];
}

/** `size` bytes of a repeatable pattern (different seeds, different bytes). */
export function patternBytes(size: number, seed = 1): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return bytes;
}

/** A Blob-backed `UploadSource`, like a `File`. */
export function makeSource(
  name: string,
  bytes: Uint8Array<ArrayBuffer>,
  options: { lastModified?: number; type?: string } = {},
): TestSource {
  const blob = new Blob([bytes]);
  const slices: [number, number][] = [];
  return {
    name,
    size: blob.size,
    lastModified: options.lastModified ?? 1_700_000_000_000,
    type: options.type ?? 'application/octet-stream',
    bytes,
    slices,
    slice(start: number, end: number): Blob {
      slices.push([start, end]);
      return blob.slice(start, end);
    },
  };
}

/** How the fake server answers one chunk PUT. */
export type ChunkBehaviour =
  /** Answer this status; `record` stores the chunk first (as if the answer got lost on the way back). */
  | { status: number; retryAfterSeconds?: number; record?: boolean }
  /** Reject like a dropped connection. */
  | 'network-error'
  /** Never answer, never report progress: only an abort ends it. */
  | 'stall'
  /** Keep the request open until the test calls `respond` (or it is aborted). */
  | 'hold';

/** One chunk PUT as the fake server saw it. */
export interface ChunkCall {
  readonly uploadId: string;
  readonly index: number;
  readonly token: string;
  readonly sha256: string;
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

/** One upload as the fake server keeps it. */
export interface FakeUpload {
  uploadId: string;
  fileName: string;
  size: number;
  contentType: string | undefined;
  chunkSize: number;
  totalChunks: number;
  status: ServerUploadStatus;
  /** Index → how many times a chunk with that index was stored. */
  received: Map<number, number>;
  validTokens: Set<string>;
  uploadUrl: string;
  fileId?: string;
  failureReason?: string;
  /** Polls answered while assembling. */
  polls: number;
}

function abortError(): Error {
  return new DOMException('aborted', 'AbortError');
}

/** An in-memory upload server implementing `Transport`, scriptable per chunk. */
export class FakeServer implements Transport {
  chunkSize = 1024;
  /** Polls answered `assembling` before the assembly finishes. */
  assemblyPolls = 1;
  /** How assembly ends. */
  assemblyResult: { status: 'completed' } | { status: 'failed'; failureReason: string } = { status: 'completed' };
  /** Decides the answer to each chunk PUT (undefined: behave like the real server). */
  onChunk: (call: ChunkCall) => ChunkBehaviour | undefined = () => undefined;
  /** Makes `getUpload` fail (return an error to throw). */
  onGetUpload: (uploadId: string) => Error | undefined = () => undefined;

  readonly uploads = new Map<string, FakeUpload>();
  readonly calls: ChunkCall[] = [];
  readonly opened: { fileName: string; size: number; contentType?: string; idempotencyKey?: string }[] = [];
  /** Uploads by idempotency key: like the real server, a repeated key gets the upload it opened. */
  private readonly byKey = new Map<string, FakeUpload>();
  readonly cancelled: string[] = [];
  readonly lookups: string[] = [];
  inFlight = 0;
  maxInFlight = 0;

  private nextUpload = 1;
  private nextToken = 1;

  constructor(private readonly clock?: Clock) {}

  /** Creates an upload directly (to seed a resume). */
  createUpload(input: { fileName: string; size: number; contentType?: string }): FakeUpload {
    const uploadId = `upload-${this.nextUpload++}`;
    const upload: FakeUpload = {
      uploadId,
      fileName: input.fileName,
      size: input.size,
      contentType: input.contentType,
      chunkSize: this.chunkSize,
      totalChunks: Math.max(1, Math.ceil(input.size / this.chunkSize)),
      status: 'uploading',
      received: new Map(),
      validTokens: new Set(),
      uploadUrl: `https://uploads.test/v1/uploads/${uploadId}`,
      polls: 0,
    };
    this.uploads.set(uploadId, upload);
    return upload;
  }

  /** A new token for the upload (the old ones stay valid unless revoked). */
  issueToken(upload: FakeUpload): string {
    const token = `token-${this.nextToken++}`;
    upload.validTokens.add(token);
    return token;
  }

  /** Every token issued so far is refused from now on (as if expired). */
  revokeTokens(uploadId: string): void {
    this.uploads.get(uploadId)?.validTokens.clear();
  }

  /** The only upload (tests with one file). */
  only(): FakeUpload {
    const [upload, ...rest] = this.uploads.values();
    if (!upload || rest.length > 0) throw new Error(`expected one upload, found ${this.uploads.size}`);
    return upload;
  }

  /** Requests still open (held or stalled). */
  get open(): ChunkCall[] {
    return this.calls.filter((call) => !call.settled);
  }

  callsFor(index: number): ChunkCall[] {
    return this.calls.filter((call) => call.index === index);
  }

  async openUpload(input: {
    fileName: string;
    size: number;
    contentType?: string;
    idempotencyKey?: string;
  }): Promise<UploadPlan> {
    this.opened.push(input);
    const known = input.idempotencyKey === undefined ? undefined : this.byKey.get(input.idempotencyKey);
    const upload = known ?? this.createUpload(input);
    if (input.idempotencyKey !== undefined) this.byKey.set(input.idempotencyKey, upload);
    return {
      uploadId: upload.uploadId,
      chunkSize: upload.chunkSize,
      totalChunks: upload.totalChunks,
      expiresAt: '2030-01-01T00:00:00.000Z',
      uploadUrl: upload.uploadUrl,
      uploadToken: this.issueToken(upload),
      uploadTokenExpiresAt: '2030-01-01T00:00:00.000Z',
    };
  }

  async getUpload(uploadId: string): Promise<ServerUploadState> {
    this.lookups.push(uploadId);
    const failure = this.onGetUpload(uploadId);
    if (failure) throw failure;
    const upload = this.uploads.get(uploadId);
    if (!upload) throw new ApiError(404, 'not_found', 'upload not found');
    if (upload.status === 'assembling') {
      upload.polls++;
      if (upload.polls > this.assemblyPolls) this.finishAssembly(upload);
    }
    const state: ServerUploadState = {
      uploadId,
      status: upload.status,
      chunkSize: upload.chunkSize,
      totalChunks: upload.totalChunks,
      receivedIndexes: [...upload.received.keys()].sort((a, b) => a - b),
    };
    if (upload.fileId) state.fileId = upload.fileId;
    if (upload.failureReason) state.failureReason = upload.failureReason;
    if (upload.status === 'uploading') {
      state.uploadUrl = upload.uploadUrl;
      state.uploadToken = this.issueToken(upload);
      state.uploadTokenExpiresAt = '2030-01-01T00:00:00.000Z';
    }
    return state;
  }

  async cancelUpload(uploadId: string): Promise<void> {
    this.cancelled.push(uploadId);
    const upload = this.uploads.get(uploadId);
    if (!upload) throw new ApiError(404, 'not_found', 'upload not found');
    upload.status = 'cancelled';
  }

  async putChunk(request: PutChunkRequest): Promise<ChunkResponse> {
    const uploadId = request.uploadUrl.split('/').pop() ?? '';
    const call: ChunkCall = {
      uploadId,
      index: request.index,
      token: request.token,
      sha256: request.sha256,
      size: request.body.size,
      body: request.body,
      attempt: this.calls.filter((c) => c.uploadId === uploadId && c.index === request.index).length + 1,
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

  /** Answers like the real uploads service, unless the script forces a status. */
  private answer(call: ChunkCall, forced: { status: number; retryAfterSeconds?: number; record?: boolean }) {
    const response = (status: number): ChunkResponse =>
      forced.retryAfterSeconds === undefined ? { status } : { status, retryAfterSeconds: forced.retryAfterSeconds };
    if (forced.status !== 200 && !forced.record) return response(forced.status);
    const upload = this.uploads.get(call.uploadId);
    if (!upload) return response(404);
    if (!upload.validTokens.has(call.token)) return response(401);
    if (upload.status !== 'uploading') return response(409);
    const expected =
      call.index < upload.totalChunks - 1
        ? upload.chunkSize
        : upload.size - upload.chunkSize * (upload.totalChunks - 1);
    if (call.index >= upload.totalChunks || call.size !== expected) return response(400);
    upload.received.set(call.index, (upload.received.get(call.index) ?? 0) + 1);
    if (upload.received.size === upload.totalChunks) upload.status = 'assembling';
    return response(forced.status);
  }

  private finishAssembly(upload: FakeUpload): void {
    if (this.assemblyResult.status === 'completed') {
      upload.status = 'completed';
      upload.fileId = `file-of-${upload.uploadId}`;
    } else {
      upload.status = 'failed';
      upload.failureReason = this.assemblyResult.failureReason;
    }
  }
}

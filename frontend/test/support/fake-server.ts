/**
 * An in-memory upload server behind the engine's `UploadServer` port: the gateway API, the uploads
 * workers (relay) and storage with presigned part URLs (direct), scriptable per call. It keeps the
 * rules the real ones keep (tokens, exact lengths, signed checksums and expiry, confirm checks,
 * one declared SHA-256), so the engine is tested against them.
 */
import {
  ApiError,
  type ChunkResponse,
  type PartsConfirmation,
  type PartToSign,
  type PutRequest,
  type ServerUploadState,
  type SignedPart,
  type TransferMode,
  type UploadPlan,
  type UploadServer,
} from '../../src/upload-engine/types.ts';
import { type ChunkCall, FakePutEndpoint, type ForcedAnswer, type PutRoute } from './fake-puts.ts';
import { type ApiCall, expectedLength, type FakeUpload, type Signature } from './fake-upload.ts';

export type { ChunkBehaviour, ChunkCall } from './fake-puts.ts';
export type { ApiCall, FakeUpload } from './fake-upload.ts';

const STORAGE = 'https://s3.test';

export class FakeServer extends FakePutEndpoint implements UploadServer {
  chunkSize = 1024;
  /** The mode new uploads get; undefined plays a server that predates direct transfer. */
  transfer: TransferMode | undefined = 'relay';
  /** How long presigned part URLs live (clock time). */
  partUrlTtlMs = 900_000;
  /** Polls answered `assembling` before the assembly finishes. */
  assemblyPolls = 1;
  /** How assembly ends. */
  assemblyResult: { status: 'completed' } | { status: 'failed'; failureReason: string; failureCode?: string } = {
    status: 'completed',
  };
  /** Makes `getUpload` fail (return an error to throw). */
  onGetUpload: (uploadId: string) => Error | undefined = () => undefined;
  /** Runs before each open: return an error to refuse it (too large, over quota…). */
  onOpen: (input: { fileName: string; size: number }) => Error | undefined = () => undefined;
  /** Runs before each sign, confirm or declare: return an error to fail it, or a promise to hold it. */
  beforeApi: (call: ApiCall) => Error | Promise<void> | undefined = () => undefined;

  readonly uploads = new Map<string, FakeUpload>();
  readonly opened: { fileName: string; size: number; contentType?: string; idempotencyKey?: string }[] = [];
  readonly apiCalls: ApiCall[] = [];
  readonly cancelled: string[] = [];
  readonly lookups: string[] = [];
  /** The `waitSeconds` of each getUpload (0: none asked). */
  readonly waits: number[] = [];
  /** Uploads by idempotency key: like the real server, a repeated key gets the upload it opened. */
  private readonly byKey = new Map<string, FakeUpload>();
  private readonly signatures = new Map<string, Signature>();
  private nextUpload = 1;
  private nextToken = 1;

  /** Creates an upload directly (to seed a resume). */
  createUpload(input: { fileName: string; size: number; contentType?: string; transfer?: TransferMode }): FakeUpload {
    const uploadId = `upload-${this.nextUpload++}`;
    const upload: FakeUpload = {
      uploadId,
      fileName: input.fileName,
      size: input.size,
      contentType: input.contentType,
      chunkSize: this.chunkSize,
      totalChunks: Math.max(1, Math.ceil(input.size / this.chunkSize)),
      transfer: input.transfer ?? this.transfer,
      status: 'uploading',
      received: new Map(),
      stored: new Map(),
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

  /** The API calls of one kind, in order. */
  apiCallsOf(op: ApiCall['op']): ApiCall[] {
    return this.apiCalls.filter((call) => call.op === op);
  }

  async openUpload(input: {
    fileName: string;
    size: number;
    contentType?: string;
    idempotencyKey?: string;
  }): Promise<UploadPlan> {
    this.opened.push(input);
    const refusal = this.onOpen(input);
    if (refusal) throw refusal;
    const known = input.idempotencyKey === undefined ? undefined : this.byKey.get(input.idempotencyKey);
    const upload = known ?? this.createUpload(input);
    if (input.idempotencyKey !== undefined) this.byKey.set(input.idempotencyKey, upload);
    const plan: UploadPlan = {
      uploadId: upload.uploadId,
      chunkSize: upload.chunkSize,
      totalChunks: upload.totalChunks,
      expiresAt: '2030-01-01T00:00:00.000Z',
    };
    if (upload.transfer !== undefined) plan.transfer = upload.transfer;
    if (upload.transfer === 'direct') return plan;
    return {
      ...plan,
      uploadUrl: upload.uploadUrl,
      uploadToken: this.issueToken(upload),
      uploadTokenExpiresAt: '2030-01-01T00:00:00.000Z',
    };
  }

  /** Answers at once, as a server that does not hold answers does. */
  async getUpload(uploadId: string, waitSeconds = 0): Promise<ServerUploadState> {
    this.lookups.push(uploadId);
    this.waits.push(waitSeconds);
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
    if (upload.transfer !== undefined) state.transfer = upload.transfer;
    if (upload.fileId) state.fileId = upload.fileId;
    if (upload.failureReason) state.failureReason = upload.failureReason;
    if (upload.failureCode) state.failureCode = upload.failureCode;
    if (upload.status === 'uploading' && upload.transfer !== 'direct') {
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

  async declareSha256(uploadId: string, sha256: string): Promise<void> {
    const upload = await this.api({ op: 'declare', uploadId, sha256 });
    if (upload.sha256 !== undefined && upload.sha256 !== sha256) {
      throw new ApiError(409, 'already_exists', 'another SHA-256 was declared for this upload');
    }
    upload.sha256 = sha256;
  }

  async signParts(uploadId: string, parts: readonly PartToSign[]): Promise<SignedPart[]> {
    const upload = await this.api({ op: 'sign', uploadId, indexes: parts.map((p) => p.index) });
    for (const part of parts) {
      if (part.index >= upload.totalChunks || part.length !== expectedLength(upload, part.index)) {
        throw new ApiError(400, 'invalid_argument', `part ${part.index} is out of range or of the wrong length`);
      }
    }
    return parts.map((part) => {
      const id = `sig-${this.signatures.size + 1}`;
      const expiresAt = (this.clock?.now() ?? 0) + this.partUrlTtlMs;
      this.signatures.set(id, { uploadId, index: part.index, sha256: part.sha256, expiresAt });
      return {
        index: part.index,
        url: `${STORAGE}/bucket/objects/${uploadId}?partNumber=${part.index + 1}&X-Amz-SignedHeaders=host%3Bx-amz-checksum-sha256&sig=${id}`,
        method: 'PUT',
        headers: { 'x-amz-checksum-sha256': part.sha256 },
        expiresAt: new Date(expiresAt).toISOString(),
      };
    });
  }

  async confirmParts(uploadId: string, indexes: readonly number[]): Promise<PartsConfirmation> {
    const upload = await this.api({ op: 'confirm', uploadId, indexes: [...indexes] });
    // Every part is checked before anything is recorded (DESIGN.md §9.1).
    for (const index of indexes) {
      const part = upload.stored.get(index);
      if (!part || part.size !== expectedLength(upload, index)) {
        throw new ApiError(409, 'aborted', `part ${index} is missing in storage`, undefined, { index });
      }
    }
    // Confirming a recorded part again changes nothing.
    for (const index of indexes) if (!upload.received.has(index)) upload.received.set(index, 1);
    const complete = upload.received.size === upload.totalChunks;
    if (complete) upload.status = 'assembling';
    return { received: upload.received.size, totalChunks: upload.totalChunks, complete };
  }

  protected route(request: PutRequest): PutRoute {
    const url = new URL(request.url);
    if (url.origin === STORAGE) {
      const signature = this.signatures.get(url.searchParams.get('sig') ?? '');
      return {
        uploadId: signature?.uploadId ?? url.pathname.split('/').pop() ?? '',
        index: signature?.index ?? Number(url.searchParams.get('partNumber')) - 1,
        mode: 'direct',
        token: '',
        sha256: request.headers['x-amz-checksum-sha256'] ?? '',
      };
    }
    const [, uploadId = '', index = ''] = /\/uploads\/([^/]+)\/chunks\/(\d+)$/.exec(url.pathname) ?? [];
    return {
      uploadId,
      index: Number(index),
      mode: 'relay',
      token: (request.headers.Authorization ?? '').replace(/^Bearer /, ''),
      sha256: request.headers['x-chunk-sha256'] ?? '',
    };
  }

  protected answer(call: ChunkCall, forced: ForcedAnswer): ChunkResponse {
    const response = (status: number, complete?: boolean): ChunkResponse => ({
      status,
      ...(forced.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: forced.retryAfterSeconds }),
      ...(complete === undefined ? {} : { complete }),
    });
    if (forced.status !== 200 && !forced.record) return response(forced.status);
    const upload = this.uploads.get(call.uploadId);
    if (!upload) return response(404);
    if (call.mode === 'direct') return response(this.store(upload, call) ?? forced.status);
    if (!upload.validTokens.has(call.token)) return response(401);
    if (upload.status !== 'uploading') return response(409);
    if (call.index >= upload.totalChunks || call.size !== expectedLength(upload, call.index)) return response(400);
    upload.received.set(call.index, (upload.received.get(call.index) ?? 0) + 1);
    const complete = upload.received.size === upload.totalChunks;
    if (complete) upload.status = 'assembling';
    return response(forced.status, complete);
  }

  /** Storage's checks of a presigned part PUT; a refusal status, or undefined once stored. */
  private store(upload: FakeUpload, call: ChunkCall): number | undefined {
    const signature = this.signatures.get(new URL(call.url).searchParams.get('sig') ?? '');
    // Expired, or a signed header (the checksum) that differs: S3 refuses the signature.
    if (!signature || (this.clock?.now() ?? 0) > signature.expiresAt || signature.sha256 !== call.sha256) return 403;
    if (upload.status === 'cancelled') return 404;
    if (call.size !== expectedLength(upload, call.index)) return 400;
    upload.stored.set(call.index, { sha256: call.sha256, size: call.size });
    return undefined;
  }

  private async api(call: ApiCall): Promise<FakeUpload> {
    this.apiCalls.push(call);
    const scripted = this.beforeApi(call);
    if (scripted instanceof Error) throw scripted;
    if (scripted) await scripted;
    const upload = this.uploads.get(call.uploadId);
    if (!upload) throw new ApiError(404, 'not_found', 'upload not found');
    if (upload.status !== 'uploading') throw new ApiError(409, 'failed_precondition', `upload is ${upload.status}`);
    return upload;
  }

  private finishAssembly(upload: FakeUpload): void {
    const result = this.assemblyResult;
    if (result.status === 'completed') {
      upload.status = 'completed';
      upload.fileId = `file-of-${upload.uploadId}`;
    } else {
      upload.status = 'failed';
      upload.failureReason = result.failureReason;
      if (result.failureCode !== undefined) upload.failureCode = result.failureCode;
    }
  }
}

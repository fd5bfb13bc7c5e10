import { type BrowserTrace, newTrace, traceHeaders } from '../api/trace-context.ts';
import type {
  ChunkResponse,
  PartsConfirmation,
  PutRequest,
  ServerUploadState,
  ServerUploadStatus,
  SignedPart,
  TransferMode,
  UploadPlan,
  UploadServer,
} from './types.ts';

/**
 * The app's JSON client for the gateway: paths are relative to `/api/v1` (e.g. `/uploads`);
 * failures reject with `ApiError`; `action` is the trace the request belongs to.
 */
export interface JsonApi {
  request<T>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    action?: BrowserTrace,
  ): Promise<T>;
}

/** Options of {@link createHttpUploadServer}. */
export interface HttpUploadServerOptions {
  /** Makes the request object for PUTs of bytes (defaults to `new XMLHttpRequest()`; tests pass a fake). */
  createXhr?: () => XMLHttpRequest;
  /** For `Retry-After` given as an HTTP date (defaults to `Date.now`). */
  now?: () => number;
}

/** The upload as `GET /uploads/:id` and `POST /uploads` describe it. */
interface WireUpload {
  uploadId: string;
  status: ServerUploadStatus;
  chunkSize: number;
  totalChunks: number;
  transfer?: TransferMode;
  fileId?: string;
  failureReason?: string;
  failureCode?: string;
}

/** `POST /uploads` → 201. */
interface CreateUploadResponse extends UploadPlan {
  upload: WireUpload;
}

/** A 2xx body of the uploads service (`{index, received, totalChunks, complete}`), if it is one. */
function completeOf(body: string): boolean | undefined {
  try {
    const complete = (JSON.parse(body) as { complete?: unknown } | null)?.complete;
    return typeof complete === 'boolean' ? complete : undefined;
  } catch {
    return undefined;
  }
}

/** `GET /uploads/:id` → 200. */
interface UploadDetailResponse {
  upload: WireUpload;
  receivedIndexes: number[];
  uploadUrl?: string;
  uploadToken?: string;
  uploadTokenExpiresAt?: string;
}

/**
 * `Retry-After` in seconds: delta-seconds, or an HTTP date relative to `now`; undefined when
 * absent or unreadable.
 */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** The `code` of an error body (`{"error": {"code": "..."}}`, DESIGN.md §3), if it is one. */
function errorCodeOf(body: string): string | undefined {
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } } | null)?.error?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

function abortError(): Error {
  return new DOMException('The upload was aborted', 'AbortError');
}

/** The host a request went to, for messages (never the whole URL: a presigned one carries a signature). */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the server';
  }
}

/**
 * A PUT of bytes with upload progress; any HTTP answer resolves, network failures reject. With
 * `action`, it carries that trace's `traceparent` (never given for storage: see PutRequest).
 */
function putWithXhr(
  createXhr: () => XMLHttpRequest,
  now: () => number,
  request: PutRequest,
  action: BrowserTrace | undefined,
): Promise<ChunkResponse> {
  return new Promise<ChunkResponse>((resolve, reject) => {
    const { signal } = request;
    if (signal.aborted) {
      reject(abortError());
      return;
    }
    const xhr = createXhr();
    const onAbort = () => xhr.abort();
    const done = () => signal.removeEventListener('abort', onAbort);
    xhr.open('PUT', request.url);
    for (const [name, value] of Object.entries(request.headers)) xhr.setRequestHeader(name, value);
    const traced = action ? traceHeaders(action) : {};
    for (const [name, value] of Object.entries(traced)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => request.onProgress(event.loaded);
    xhr.onload = () => {
      done();
      const response: ChunkResponse = { status: xhr.status };
      const retryAfterSeconds = parseRetryAfter(xhr.getResponseHeader('Retry-After'), now());
      if (retryAfterSeconds !== undefined) response.retryAfterSeconds = retryAfterSeconds;
      const code = xhr.status >= 400 ? errorCodeOf(xhr.responseText) : undefined;
      if (code !== undefined) response.code = code;
      const complete = xhr.status >= 200 && xhr.status < 300 ? completeOf(xhr.responseText) : undefined;
      if (complete !== undefined) response.complete = complete;
      resolve(response);
    };
    xhr.onerror = () => {
      done();
      reject(new TypeError(`network error while sending to ${hostOf(request.url)}`));
    };
    xhr.ontimeout = () => {
      done();
      reject(new TypeError(`timed out sending to ${hostOf(request.url)}`));
    };
    xhr.onabort = () => {
      done();
      reject(abortError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    xhr.send(request.body);
  });
}

const FINISHED = new Set<ServerUploadState['status']>(['completed', 'failed', 'expired', 'cancelled']);

function flatten(detail: UploadDetailResponse): ServerUploadState {
  const { upload } = detail;
  const state: ServerUploadState = {
    uploadId: upload.uploadId,
    status: upload.status,
    chunkSize: upload.chunkSize,
    totalChunks: upload.totalChunks,
    receivedIndexes: detail.receivedIndexes,
  };
  if (upload.transfer !== undefined) state.transfer = upload.transfer;
  if (upload.fileId !== undefined) state.fileId = upload.fileId;
  if (upload.failureReason !== undefined) state.failureReason = upload.failureReason;
  if (upload.failureCode !== undefined) state.failureCode = upload.failureCode;
  if (detail.uploadUrl !== undefined) state.uploadUrl = detail.uploadUrl;
  if (detail.uploadToken !== undefined) state.uploadToken = detail.uploadToken;
  if (detail.uploadTokenExpiresAt !== undefined) state.uploadTokenExpiresAt = detail.uploadTokenExpiresAt;
  return state;
}

/**
 * The engine's server over the gateway API (`/uploads`) and PUTs of bytes with XMLHttpRequest (for
 * upload progress events): chunks to the uploads service, parts to presigned storage URLs.
 *
 * Each upload is one trace (docs/tracing.md): its open starts it (retries of the open, under the
 * same idempotency key, stay in it), and every later request about the upload joins it, relay
 * chunks included. An upload met again after a reload starts a new one.
 */
export function createHttpUploadServer(api: JsonApi, options: HttpUploadServerOptions = {}): UploadServer {
  const createXhr = options.createXhr ?? (() => new XMLHttpRequest());
  const now = options.now ?? Date.now;
  const uploadPath = (uploadId: string) => `/uploads/${encodeURIComponent(uploadId)}`;
  // By upload id, and by idempotency key while an open is being tried.
  const traces = new Map<string, BrowserTrace>();
  const traceOf = (key: string): BrowserTrace => {
    const known = traces.get(key);
    if (known) return known;
    const action = newTrace();
    traces.set(key, action);
    return action;
  };
  return {
    async openUpload(input) {
      const body: Record<string, unknown> = { fileName: input.fileName, size: input.size };
      if (input.contentType) body.contentType = input.contentType;
      if (input.idempotencyKey) body.idempotencyKey = input.idempotencyKey;
      const action = input.idempotencyKey ? traceOf(input.idempotencyKey) : newTrace();
      const created = await api.request<CreateUploadResponse>('POST', '/uploads', body, action);
      if (input.idempotencyKey) traces.delete(input.idempotencyKey);
      traces.set(created.uploadId, action);
      const plan: UploadPlan = {
        uploadId: created.uploadId,
        chunkSize: created.chunkSize,
        totalChunks: created.totalChunks,
        expiresAt: created.expiresAt,
      };
      const transfer = created.transfer ?? created.upload.transfer;
      if (transfer !== undefined) plan.transfer = transfer;
      if (created.uploadUrl !== undefined) plan.uploadUrl = created.uploadUrl;
      if (created.uploadToken !== undefined) plan.uploadToken = created.uploadToken;
      if (created.uploadTokenExpiresAt !== undefined) plan.uploadTokenExpiresAt = created.uploadTokenExpiresAt;
      return plan;
    },
    async getUpload(uploadId, waitSeconds) {
      const query = waitSeconds ? `?wait=${waitSeconds}` : '';
      const state = flatten(
        await api.request<UploadDetailResponse>('GET', `${uploadPath(uploadId)}${query}`, undefined, traceOf(uploadId)),
      );
      // A finished upload's trace is over: the page forgets it (a long session uploads many files).
      if (FINISHED.has(state.status)) traces.delete(uploadId);
      return state;
    },
    async cancelUpload(uploadId) {
      await api.request<void>('DELETE', uploadPath(uploadId), undefined, traceOf(uploadId));
      traces.delete(uploadId);
    },
    async declareSha256(uploadId, sha256) {
      await api.request<unknown>('PATCH', uploadPath(uploadId), { sha256 }, traceOf(uploadId));
    },
    async signParts(uploadId, parts) {
      const body = { parts: parts.map(({ index, sha256, length }) => ({ index, sha256, length })) };
      const path = `${uploadPath(uploadId)}/parts`;
      return (await api.request<{ parts: SignedPart[] }>('POST', path, body, traceOf(uploadId))).parts;
    },
    async confirmParts(uploadId, indexes) {
      const path = `${uploadPath(uploadId)}/parts/confirm`;
      return api.request<PartsConfirmation>('POST', path, { indexes }, traceOf(uploadId));
    },
    put: (request) =>
      putWithXhr(createXhr, now, request, request.traceUploadId ? traceOf(request.traceUploadId) : undefined),
  };
}

import type {
  ChunkResponse,
  PutChunkRequest,
  ServerUploadState,
  ServerUploadStatus,
  Transport,
  UploadPlan,
} from './types.ts';

/**
 * The app's JSON client for the gateway: paths are relative to `/api/v1` (e.g. `/uploads`);
 * failures reject with `ApiError`.
 */
export interface JsonApi {
  request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

/** Options of {@link createHttpTransport}. */
export interface HttpTransportOptions {
  /** Makes the request object for chunk PUTs (defaults to `new XMLHttpRequest()`; tests pass a fake). */
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
  fileId?: string;
  failureReason?: string;
}

/** `POST /uploads` → 201. */
interface CreateUploadResponse extends UploadPlan {
  upload: WireUpload;
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
  return new DOMException('The chunk upload was aborted', 'AbortError');
}

/** `PUT {uploadUrl}/chunks/{index}` with upload progress; any HTTP answer resolves, network failures reject. */
function putChunkWithXhr(
  createXhr: () => XMLHttpRequest,
  now: () => number,
  request: PutChunkRequest,
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
    xhr.open('PUT', `${request.uploadUrl.replace(/\/+$/, '')}/chunks/${request.index}`);
    xhr.setRequestHeader('Authorization', `Bearer ${request.token}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('x-chunk-sha256', request.sha256);
    xhr.upload.onprogress = (event) => request.onProgress(event.loaded);
    xhr.onload = () => {
      done();
      const response: ChunkResponse = { status: xhr.status };
      const retryAfterSeconds = parseRetryAfter(xhr.getResponseHeader('Retry-After'), now());
      if (retryAfterSeconds !== undefined) response.retryAfterSeconds = retryAfterSeconds;
      const code = xhr.status >= 400 ? errorCodeOf(xhr.responseText) : undefined;
      if (code !== undefined) response.code = code;
      resolve(response);
    };
    xhr.onerror = () => {
      done();
      reject(new TypeError(`network error while sending chunk ${request.index}`));
    };
    xhr.ontimeout = () => {
      done();
      reject(new TypeError(`timed out sending chunk ${request.index}`));
    };
    xhr.onabort = () => {
      done();
      reject(abortError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    xhr.send(request.body);
  });
}

function flatten(detail: UploadDetailResponse): ServerUploadState {
  const { upload } = detail;
  const state: ServerUploadState = {
    uploadId: upload.uploadId,
    status: upload.status,
    chunkSize: upload.chunkSize,
    totalChunks: upload.totalChunks,
    receivedIndexes: detail.receivedIndexes,
  };
  if (upload.fileId !== undefined) state.fileId = upload.fileId;
  if (upload.failureReason !== undefined) state.failureReason = upload.failureReason;
  if (detail.uploadUrl !== undefined) state.uploadUrl = detail.uploadUrl;
  if (detail.uploadToken !== undefined) state.uploadToken = detail.uploadToken;
  if (detail.uploadTokenExpiresAt !== undefined) state.uploadTokenExpiresAt = detail.uploadTokenExpiresAt;
  return state;
}

/**
 * The engine's transport over the gateway API (`/uploads`) and direct chunk PUTs to the uploads
 * service (XMLHttpRequest, for upload progress events).
 */
export function createHttpTransport(api: JsonApi, options: HttpTransportOptions = {}): Transport {
  const createXhr = options.createXhr ?? (() => new XMLHttpRequest());
  const now = options.now ?? Date.now;
  const uploadPath = (uploadId: string) => `/uploads/${encodeURIComponent(uploadId)}`;
  return {
    async openUpload(input) {
      const body: Record<string, unknown> = { fileName: input.fileName, size: input.size };
      if (input.contentType) body.contentType = input.contentType;
      if (input.sha256) body.sha256 = input.sha256;
      if (input.idempotencyKey) body.idempotencyKey = input.idempotencyKey;
      const created = await api.request<CreateUploadResponse>('POST', '/uploads', body);
      return {
        uploadId: created.uploadId,
        chunkSize: created.chunkSize,
        totalChunks: created.totalChunks,
        expiresAt: created.expiresAt,
        uploadUrl: created.uploadUrl,
        uploadToken: created.uploadToken,
        uploadTokenExpiresAt: created.uploadTokenExpiresAt,
      };
    },
    async getUpload(uploadId) {
      return flatten(await api.request<UploadDetailResponse>('GET', uploadPath(uploadId)));
    },
    async cancelUpload(uploadId) {
      await api.request<void>('DELETE', uploadPath(uploadId));
    },
    putChunk: (request) => putChunkWithXhr(createXhr, now, request),
  };
}

import { describe, expect, it } from 'vitest';
import type { BrowserTrace } from '../api/trace-context.ts';
import { createHttpUploadServer, type JsonApi, parseRetryAfter } from './http-upload-server.ts';
import type { PutRequest } from './types.ts';

/** The PUTs never reach the JSON API. */
const noApi = {
  request: () => Promise.reject(new Error('the JSON API is not used for PUTs')),
};

/** Just enough of XMLHttpRequest for chunk PUTs. */
class FakeXhr {
  method = '';
  url = '';
  readonly headers: Record<string, string> = {};
  body: unknown;
  status = 0;
  responseText = '';
  responseHeaders: Record<string, string> = {};
  aborted = false;
  readonly upload: { onprogress: ((event: { loaded: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  ontimeout: (() => void) | null = null;
  onabort: (() => void) | null = null;

  open(method: string, url: string): void {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value;
  }
  send(body: unknown): void {
    this.body = body;
  }
  abort(): void {
    this.aborted = true;
    this.onabort?.();
  }
  getResponseHeader(name: string): string | null {
    return this.responseHeaders[name.toLowerCase()] ?? null;
  }
  finish(status: number, headers: Record<string, string> = {}, body = ''): void {
    this.status = status;
    this.responseHeaders = headers;
    this.responseText = body;
    this.onload?.();
  }
}

/** The server over a fake XMLHttpRequest, and a chunk PUT to send with it. */
function setup(api: JsonApi = noApi) {
  const xhrs: FakeXhr[] = [];
  const transport = createHttpUploadServer(api, {
    createXhr: () => {
      const xhr = new FakeXhr();
      xhrs.push(xhr);
      return xhr as unknown as XMLHttpRequest;
    },
    now: () => Date.parse('2030-01-01T00:00:00.000Z'),
  });
  const controller = new AbortController();
  const progress: number[] = [];
  const body = new Blob([new Uint8Array(8)]);
  const request: PutRequest = {
    url: 'https://up.test/v1/uploads/u-1/chunks/3',
    headers: { Authorization: 'Bearer tok', 'Content-Type': 'application/octet-stream', 'x-chunk-sha256': 'c2hh' },
    body,
    signal: controller.signal,
    onProgress: (loaded) => progress.push(loaded),
  };
  const xhr = () => {
    const last = xhrs[xhrs.length - 1];
    if (!last) throw new Error('no request made');
    return last;
  };
  return { transport, request, controller, progress, body, xhr };
}

describe('createHttpUploadServer: put', () => {
  it('PUTs the bytes with exactly the headers given, reporting progress', async () => {
    const { transport, request, progress, body, xhr } = setup();
    const answer = transport.put(request);
    expect(xhr()).toMatchObject({
      method: 'PUT',
      url: 'https://up.test/v1/uploads/u-1/chunks/3',
      headers: { Authorization: 'Bearer tok', 'Content-Type': 'application/octet-stream', 'x-chunk-sha256': 'c2hh' },
    });
    expect(xhr().body).toBe(body);
    xhr().upload.onprogress?.({ loaded: 4 });
    xhr().upload.onprogress?.({ loaded: 8 });
    xhr().finish(200);
    expect(await answer).toEqual({ status: 200 });
    expect(progress).toEqual([4, 8]);
  });

  it('passes on `complete` from a 2xx answer of the uploads service, and ignores other bodies', async () => {
    const { transport, request, xhr } = setup();
    const last = transport.put(request);
    xhr().finish(200, {}, JSON.stringify({ index: 3, received: 4, totalChunks: 4, complete: true }));
    expect(await last).toEqual({ status: 200, complete: true });
    const storage = transport.put(request);
    xhr().finish(200, { etag: '"abc"' }, '');
    expect(await storage).toEqual({ status: 200 });
  });

  it('resolves any HTTP status, with Retry-After in seconds', async () => {
    const { transport, request, xhr } = setup();
    const first = transport.put(request);
    xhr().finish(503, { 'retry-after': '7' });
    expect(await first).toEqual({ status: 503, retryAfterSeconds: 7 });
    const second = transport.put(request);
    xhr().finish(429, { 'retry-after': 'Tue, 01 Jan 2030 00:00:30 GMT' });
    expect(await second).toEqual({ status: 429, retryAfterSeconds: 30 });
    const third = transport.put(request);
    xhr().finish(400);
    expect(await third).toEqual({ status: 400 });
  });

  it("passes on the error body's code (429 too_many_requests) and ignores bodies that are not errors", async () => {
    const { transport, request, xhr } = setup();
    const limited = transport.put(request);
    const body = JSON.stringify({ error: { code: 'too_many_requests', message: 'slow down', requestId: 'r' } });
    xhr().finish(429, { 'retry-after': '2' }, body);
    expect(await limited).toEqual({ status: 429, retryAfterSeconds: 2, code: 'too_many_requests' });
    const html = transport.put(request);
    xhr().finish(502, {}, '<html>bad gateway</html>');
    expect(await html).toEqual({ status: 502 });
  });

  it('rejects on a network error and when aborted', async () => {
    const { transport, request, controller, xhr } = setup();
    const failed = transport.put(request);
    xhr().onerror?.();
    await expect(failed).rejects.toThrow(/network error/);

    const aborted = transport.put(request);
    controller.abort();
    expect(xhr().aborted).toBe(true);
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    await expect(transport.put(request)).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('createHttpUploadServer: one trace per upload', () => {
  /** The gateway: opens `u-<n>` for the n-th idempotency key and answers everything else with `{}`. */
  function tracingApi(answers: string[] = []) {
    const calls: { path: string; traceId: string | undefined }[] = [];
    const api: JsonApi = {
      async request<T>(_method: string, path: string, body?: unknown, action?: BrowserTrace): Promise<T> {
        calls.push({ path, traceId: action?.traceId });
        const key = (body as { idempotencyKey?: string } | undefined)?.idempotencyKey;
        const plan = { uploadId: `u-${key}`, chunkSize: 8, totalChunks: 2, expiresAt: '2030-01-02T00:00:00.000Z' };
        if (path === '/uploads') return { ...plan, upload: { uploadId: plan.uploadId } } as T;
        const status = path.match(/^\/uploads\/[^/?]+(\?|$)/) ? answers.shift() : undefined;
        return (
          status ? { upload: { uploadId: 'u', status, chunkSize: 8, totalChunks: 2 }, receivedIndexes: [] } : {}
        ) as T;
      },
    };
    return { api, calls };
  }

  it("sends an upload's open, later API calls and relay chunks in one trace, another upload in another, and nothing to storage", async () => {
    const { api, calls } = tracingApi();
    const { transport, request, xhr } = setup(api);
    await transport.openUpload({ fileName: 'a.bin', size: 10, idempotencyKey: '1' });
    await transport.openUpload({ fileName: 'b.bin', size: 10, idempotencyKey: '2' });
    await transport.declareSha256('u-1', 'ab'.repeat(32));
    await transport.signParts('u-1', [{ index: 0, sha256: 'c2hh', length: 8 }]);
    await transport.confirmParts('u-1', [0]);
    await transport.getUpload('u-2').catch(() => undefined);
    const traceOf = (i: number) => calls[i]?.traceId;
    expect(traceOf(0)).toMatch(/^[0-9a-f]{32}$/);
    expect([traceOf(2), traceOf(3), traceOf(4)]).toEqual([traceOf(0), traceOf(0), traceOf(0)]);
    expect(traceOf(1)).not.toBe(traceOf(0));
    expect(traceOf(5)).toBe(traceOf(1));

    const chunk = transport.put({ ...request, traceUploadId: 'u-1' });
    expect(xhr().headers.traceparent).toMatch(new RegExp(`^00-${traceOf(0)}-[0-9a-f]{16}-00$`));
    xhr().finish(200);
    await chunk;
    // A part to a presigned URL: exactly its signed headers (the bucket's CORS allows no traceparent).
    const part = transport.put({ ...request, url: 'https://bucket.test/k?partNumber=1&X-Amz-Signature=s' });
    expect(Object.keys(xhr().headers).map((h) => h.toLowerCase())).not.toContain('traceparent');
    expect(xhr().headers).toEqual(request.headers);
    xhr().finish(200);
    await part;
  });

  it("forgets an upload's trace once it is finished or cancelled: a later call starts another", async () => {
    const { api, calls } = tracingApi(['assembling', 'completed']);
    const { transport } = setup(api);
    await transport.openUpload({ fileName: 'a.bin', size: 10, idempotencyKey: '1' });
    await transport.getUpload('u-1', 20);
    await transport.getUpload('u-1', 20);
    await transport.getUpload('u-1').catch(() => undefined);
    await transport.openUpload({ fileName: 'b.bin', size: 10, idempotencyKey: '2' });
    await transport.cancelUpload('u-2');
    await transport.cancelUpload('u-2');
    const ids = calls.map((c) => c.traceId);
    expect(calls[1]?.path).toBe('/uploads/u-1?wait=20');
    // Open, assembling and completed share a trace; the call after completed is a new one.
    expect([ids[1], ids[2]]).toEqual([ids[0], ids[0]]);
    expect(ids[3]).not.toBe(ids[0]);
    expect(ids[5]).toBe(ids[4]);
    expect(ids[6]).not.toBe(ids[4]);
  });

  it('keeps retries of one open in one trace (same idempotency key)', async () => {
    const { api, calls } = tracingApi();
    let refused = false;
    const flaky: JsonApi = {
      request: (method, path, body, action) => {
        if (!refused) {
          refused = true;
          calls.push({ path, traceId: action?.traceId });
          return Promise.reject(new Error('network error'));
        }
        return api.request(method, path, body, action);
      },
    };
    const { transport } = setup(flaky);
    await expect(transport.openUpload({ fileName: 'a.bin', size: 10, idempotencyKey: '7' })).rejects.toThrow();
    await transport.openUpload({ fileName: 'a.bin', size: 10, idempotencyKey: '7' });
    await transport.cancelUpload('u-7');
    expect(new Set(calls.map((c) => c.traceId)).size).toBe(1);
    expect(calls).toHaveLength(3);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    const now = Date.parse('2030-01-01T00:00:00.000Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:00:05 GMT', now)).toBe(5);
    expect(parseRetryAfter('Mon, 31 Dec 2029 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

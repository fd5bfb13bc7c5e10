import { describe, expect, it } from 'vitest';
import { createHttpTransport, type JsonApi, parseRetryAfter } from './http-transport.ts';
import { ApiError, type PutChunkRequest } from './types.ts';

interface ApiCall {
  method: string;
  path: string;
  body?: unknown;
}

function fakeApi(answer: (call: ApiCall) => unknown): { api: JsonApi; calls: ApiCall[] } {
  const calls: ApiCall[] = [];
  const api: JsonApi = {
    async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
      const call = body === undefined ? { method, path } : { method, path, body };
      calls.push(call);
      return answer(call) as T;
    },
  };
  return { api, calls };
}

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

const upload = {
  uploadId: 'u-1',
  fileName: 'a.bin',
  size: 10,
  contentType: 'application/octet-stream',
  chunkSize: 8,
  totalChunks: 2,
  receivedChunks: 1,
  receivedBytes: 8,
  status: 'uploading',
  createdAt: '2030-01-01T00:00:00.000Z',
  expiresAt: '2030-01-02T00:00:00.000Z',
};

describe('createHttpTransport: API calls', () => {
  it('opens an upload with POST /uploads', async () => {
    const plan = {
      uploadId: 'u-1',
      chunkSize: 8,
      totalChunks: 2,
      expiresAt: '2030-01-02T00:00:00.000Z',
      uploadUrl: 'https://up.test/v1/uploads/u-1',
      uploadToken: 't',
      uploadTokenExpiresAt: '2030-01-01T01:00:00.000Z',
    };
    const { api, calls } = fakeApi(() => ({ ...plan, upload }));
    const transport = createHttpTransport(api);
    expect(await transport.openUpload({ fileName: 'a.bin', size: 10, contentType: undefined })).toEqual(plan);
    await transport.openUpload({ fileName: 'b.txt', size: 3, contentType: 'text/plain' });
    expect(calls).toEqual([
      { method: 'POST', path: '/uploads', body: { fileName: 'a.bin', size: 10 } },
      { method: 'POST', path: '/uploads', body: { fileName: 'b.txt', size: 3, contentType: 'text/plain' } },
    ]);
  });

  it('flattens GET /uploads/:id', async () => {
    const { api, calls } = fakeApi(() => ({
      upload,
      receivedIndexes: [0],
      uploadUrl: 'https://up.test/v1/uploads/u-1',
      uploadToken: 't2',
      uploadTokenExpiresAt: '2030-01-01T01:00:00.000Z',
    }));
    expect(await createHttpTransport(api).getUpload('u-1')).toEqual({
      uploadId: 'u-1',
      status: 'uploading',
      chunkSize: 8,
      totalChunks: 2,
      receivedIndexes: [0],
      uploadUrl: 'https://up.test/v1/uploads/u-1',
      uploadToken: 't2',
      uploadTokenExpiresAt: '2030-01-01T01:00:00.000Z',
    });
    expect(calls).toEqual([{ method: 'GET', path: '/uploads/u-1' }]);

    const done = fakeApi(() => ({
      upload: { ...upload, status: 'completed', fileId: 'f-1' },
      receivedIndexes: [0, 1],
    }));
    expect(await createHttpTransport(done.api).getUpload('u-1')).toEqual({
      uploadId: 'u-1',
      status: 'completed',
      chunkSize: 8,
      totalChunks: 2,
      receivedIndexes: [0, 1],
      fileId: 'f-1',
    });
  });

  it('cancels with DELETE /uploads/:id and passes ApiErrors through', async () => {
    const { api, calls } = fakeApi((call) => {
      if (call.path === '/uploads/gone') throw new ApiError(404, 'not_found', 'upload not found');
      return undefined;
    });
    const transport = createHttpTransport(api);
    await transport.cancelUpload('u-1');
    expect(calls).toEqual([{ method: 'DELETE', path: '/uploads/u-1' }]);
    await expect(transport.getUpload('gone')).rejects.toMatchObject({ name: 'ApiError', status: 404 });
  });
});

describe('createHttpTransport: putChunk', () => {
  function setup() {
    const xhrs: FakeXhr[] = [];
    const transport = createHttpTransport(fakeApi(() => undefined).api, {
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
    const request: PutChunkRequest = {
      uploadUrl: 'https://up.test/v1/uploads/u-1',
      token: 'tok',
      index: 3,
      body,
      sha256: 'c2hh',
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

  it('PUTs the chunk with the bearer token and checksum, reporting progress', async () => {
    const { transport, request, progress, body, xhr } = setup();
    const answer = transport.putChunk(request);
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

  it('resolves any HTTP status, with Retry-After in seconds', async () => {
    const { transport, request, xhr } = setup();
    const first = transport.putChunk(request);
    xhr().finish(503, { 'retry-after': '7' });
    expect(await first).toEqual({ status: 503, retryAfterSeconds: 7 });
    const second = transport.putChunk(request);
    xhr().finish(429, { 'retry-after': 'Tue, 01 Jan 2030 00:00:30 GMT' });
    expect(await second).toEqual({ status: 429, retryAfterSeconds: 30 });
    const third = transport.putChunk(request);
    xhr().finish(400);
    expect(await third).toEqual({ status: 400 });
  });

  it("passes on the error body's code (429 too_many_requests) and ignores bodies that are not errors", async () => {
    const { transport, request, xhr } = setup();
    const limited = transport.putChunk(request);
    const body = JSON.stringify({ error: { code: 'too_many_requests', message: 'slow down', requestId: 'r' } });
    xhr().finish(429, { 'retry-after': '2' }, body);
    expect(await limited).toEqual({ status: 429, retryAfterSeconds: 2, code: 'too_many_requests' });
    const html = transport.putChunk(request);
    xhr().finish(502, {}, '<html>bad gateway</html>');
    expect(await html).toEqual({ status: 502 });
  });

  it('rejects on a network error and when aborted', async () => {
    const { transport, request, controller, xhr } = setup();
    const failed = transport.putChunk(request);
    xhr().onerror?.();
    await expect(failed).rejects.toThrow(/network error/);

    const aborted = transport.putChunk(request);
    controller.abort();
    expect(xhr().aborted).toBe(true);
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    await expect(transport.putChunk(request)).rejects.toMatchObject({ name: 'AbortError' });
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

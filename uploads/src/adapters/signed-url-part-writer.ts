import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { AppError, type Logger } from '@lfusys/commons';
import type { PartDestination, PartWriter } from '../ports/part-writer.ts';
import { CHECKSUM_REFUSALS } from './storage-refusals.ts';

export interface SignedUrlPartWriterOptions {
  /** Sockets per storage endpoint, as in the SDK pool this replaces (`S3_MAX_SOCKETS`). */
  maxSockets: number;
  /** A connection silent this long is abandoned (`AWS_SOCKET_TIMEOUT_MS`, the SDK's socketTimeout). */
  socketTimeoutMs: number;
  logger: Logger;
}

/** An S3 error body is a few hundred bytes; more is not read. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * Writes a chunk with the presigned UploadPart request sessions signed for it (PreparePart), so the
 * worker needs no S3 write right of its own: the URL allows one part of one upload, with the
 * declared SHA-256 and exact length, for at most 15 minutes. Plain node:http(s) on keep-alive
 * agents bounded like the SDK's pool; the slot limiter in front keeps bounding the wait for one.
 */
export class SignedUrlPartWriter implements PartWriter {
  private readonly agents: Record<string, http.Agent>;

  constructor(private readonly options: SignedUrlPartWriterOptions) {
    // Node's own global-agent settings: an idle pooled socket is closed after 5 s (before storage
    // closes it under a request reusing it), and the most recently used socket is reused first.
    const pool = { keepAlive: true, maxSockets: options.maxSockets, timeout: 5000, scheduling: 'lifo' as const };
    this.agents = { 'http:': new http.Agent(pool), 'https:': new https.Agent(pool) };
  }

  writePart(
    { signed }: PartDestination,
    body: Readable,
    length: number,
    signal: AbortSignal,
    _sha256: string,
  ): Promise<string> {
    if (signal.aborted) return Promise.reject(AppError.from(signal.reason));
    const url = new URL(signed.url);
    const agent = this.agents[url.protocol];
    if (!agent) return Promise.reject(new AppError('internal', `part URL has an unusable scheme ${url.protocol}`));
    return new Promise<string>((resolve, reject) => {
      const request = (url.protocol === 'https:' ? https : http).request(url, {
        method: 'PUT',
        agent,
        // Exactly the signed headers: the checksum (which S3 checks the bytes against) and the length.
        headers: { ...signed.headers, 'content-length': String(length) },
        timeout: this.options.socketTimeoutMs,
      });
      let settled = false;
      const settle = (err: unknown, etag = '') => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        body.unpipe(request);
        // A request answered before its body was sent cannot carry another one: drop its socket.
        if (err !== undefined && !request.writableFinished) request.destroy();
        if (err === undefined) resolve(etag);
        else reject(err);
      };
      // Aborted by the caller (the client left, the body failed a check): its reason says why, and
      // destroying the request closes the socket at once, so storage stops waiting for bytes.
      const onAbort = () => {
        settle(AppError.from(signal.reason));
        request.destroy();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      request.on('timeout', () => request.destroy(new Error(`storage silent for ${this.options.socketTimeoutMs} ms`)));
      request.on('error', (err) => settle(new AppError('unavailable', 'object storage unavailable', { cause: err })));
      request.on('response', (response) =>
        this.answer(url, response).then(
          (etag) => settle(undefined, etag),
          (err: unknown) =>
            settle(
              err instanceof AppError ? err : new AppError('unavailable', 'object storage unavailable', { cause: err }),
            ),
        ),
      );
      // Headers go out now, not with the first body byte: S3 checks the URL's expiry on arrival.
      request.flushHeaders();
      body.pipe(request);
    });
  }

  /** Storage's answer: the ETag of a stored part, or its refusal mapped as the SDK writer maps it. */
  private async answer(url: URL, response: IncomingMessage): Promise<string> {
    const status = response.statusCode ?? 0;
    const text = await readBounded(response);
    const etag = response.headers.etag;
    if (status === 200 && etag) return etag;
    if (status === 200) throw new AppError('unavailable', 'UploadPart returned no ETag');
    // https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html: <Error><Code>…</Code>.
    const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1] ?? '';
    const cause = new Error(`storage answered ${status} ${code}`.trim());
    if (code === 'NoSuchUpload') {
      throw new AppError('failed_precondition', 'upload is no longer accepting chunks', { cause });
    }
    // Storage found other bytes than the signed checksum (the worker's own hashing normally refuses
    // them first): the client's fault, nothing stored.
    if (CHECKSUM_REFUSALS.has(code)) {
      throw new AppError('invalid_argument', 'chunk body does not match x-chunk-sha256', { cause });
    }
    if (status === 403) {
      // Expired, or signed with rights sessions no longer has: not the client's fault, and worth a
      // look. Never the URL itself: it is a bearer credential for the part.
      this.options.logger.warn({ status, code, host: url.host }, 'storage refused the part URL sessions signed');
    }
    throw new AppError('unavailable', 'object storage unavailable', { cause });
  }
}

/** The response body as text, at most MAX_ERROR_BODY_BYTES of it; the rest is drained unread. */
async function readBounded(response: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    if (bytes < MAX_ERROR_BODY_BYTES) parts.push(chunk);
    bytes += chunk.length;
  }
  return Buffer.concat(parts).toString('utf8', 0, Math.min(bytes, MAX_ERROR_BODY_BYTES));
}

import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, createLogger } from '@lfusys/commons';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PartDestination } from '../ports/part-writer.ts';
import { SignedUrlPartWriter } from './signed-url-part-writer.ts';

const body = Buffer.alloc(256 * 1024, 3);
const sha = createHash('sha256').update(body).digest('base64');

/** What the fake storage saw of one PUT. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  bytes: number;
  /** The request's socket closed before its body was complete. */
  cut: boolean;
  socket: unknown;
}

type Answer = (req: IncomingMessage, res: ServerResponse, seen: Seen) => void;

let server: Server;
let base: string;
let answer: Answer;
let seen: Seen[];

/** Reads the whole body, then answers 200 with an ETag (S3's UploadPart answer). */
const stored: Answer = (req, res, s) =>
  req.on('end', () => {
    res.writeHead(200, { ETag: `"${s.bytes}"` }).end();
  });

/** Reads the whole body, then answers an S3 error document. */
const refusal =
  (status: number, code: string): Answer =>
  (req, res) =>
    req.on('end', () => {
      res
        .writeHead(status, { 'content-type': 'application/xml' })
        .end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>no</Message></Error>`);
    });

beforeAll(async () => {
  server = createServer((req, res) => {
    const s: Seen = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      bytes: 0,
      cut: false,
      socket: req.socket,
    };
    seen.push(s);
    req.on('data', (chunk: Buffer) => {
      s.bytes += chunk.length;
    });
    req.on('close', () => {
      s.cut = !req.complete;
    });
    answer(req, res, s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen = [];
  answer = stored;
});

function setup() {
  const logger = createLogger({ service: 'test', level: 'silent' });
  const warn = vi.spyOn(logger, 'warn');
  const writer = new SignedUrlPartWriter({ maxSockets: 4, socketTimeoutMs: 5000, logger });
  const destination: PartDestination = {
    target: { bucket: 'b', objectKey: 'k', multipartUploadId: 'm' },
    partNumber: 3,
    signed: {
      url: `${base}/b/files/k?partNumber=3&uploadId=m&X-Amz-Signature=abc`,
      headers: { 'x-amz-checksum-sha256': sha },
    },
  };
  return { writer, warn, destination };
}

describe('SignedUrlPartWriter', () => {
  it('PUTs the body to the signed URL with exactly the signed headers, and answers the ETag', async () => {
    const { writer, destination } = setup();
    const etag = await writer.writePart(
      destination,
      Readable.from([body]),
      body.length,
      new AbortController().signal,
      sha,
    );
    expect(etag).toBe(`"${body.length}"`);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'PUT', url: '/b/files/k?partNumber=3&uploadId=m&X-Amz-Signature=abc' });
    expect(seen[0]?.headers).toMatchObject({
      'x-amz-checksum-sha256': sha,
      'content-length': String(body.length),
    });
    expect(seen[0]?.headers['transfer-encoding']).toBeUndefined();
  });

  it('keeps the connection alive for the next part', async () => {
    const { writer, destination } = setup();
    for (let i = 0; i < 2; i++) {
      await writer.writePart(destination, Readable.from([body]), body.length, new AbortController().signal, sha);
    }
    expect(seen[1]?.socket).toBe(seen[0]?.socket);
  });

  it('aborts at once on the signal, closing the socket mid-body, with the reason', async () => {
    const { writer, destination } = setup();
    answer = () => {};
    const stream = new PassThrough();
    const caller = new AbortController();
    const write = writer.writePart(destination, stream, body.length, caller.signal, sha).catch((err: unknown) => err);
    stream.write(body.subarray(0, 1000));
    await vi.waitFor(() => expect(seen[0]?.bytes).toBe(1000));
    caller.abort(new AppError('invalid_argument', 'chunk body was cut off'));
    expect(await write).toMatchObject({ code: 'invalid_argument', message: 'chunk body was cut off' });
    await vi.waitFor(() => expect(seen[0]?.cut).toBe(true));
  });

  it('refuses to start on a signal already aborted', async () => {
    const { writer, destination } = setup();
    const caller = new AbortController();
    caller.abort(new AppError('aborted', 'the client closed the connection'));
    await expect(
      writer.writePart(destination, Readable.from([body]), body.length, caller.signal, sha),
    ).rejects.toMatchObject({ code: 'aborted' });
    await sleep(20);
    expect(seen).toHaveLength(0);
  });

  it.each([
    ['BadDigest', 400, 'invalid_argument'],
    ['XAmzContentChecksumMismatch', 400, 'invalid_argument'],
    ['NoSuchUpload', 404, 'failed_precondition'],
    ['InternalError', 500, 'unavailable'],
    ['SlowDown', 503, 'unavailable'],
  ])("maps storage's %s (%i) to %s", async (code, status, expected) => {
    const { writer, destination, warn } = setup();
    answer = refusal(status, code);
    const err = await writer
      .writePart(destination, Readable.from([body]), body.length, new AbortController().signal, sha)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: expected });
    expect(warn).not.toHaveBeenCalled();
  });

  it('maps a refused URL (403) to unavailable, logging it without the URL', async () => {
    const { writer, destination, warn } = setup();
    answer = refusal(403, 'AccessDenied');
    const err = await writer
      .writePart(destination, Readable.from([body]), body.length, new AbortController().signal, sha)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unavailable' });
    expect(warn).toHaveBeenCalledOnce();
    expect(warn.mock.calls[0]?.[0]).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(JSON.stringify(warn.mock.calls[0])).not.toContain('X-Amz-Signature');
  });

  it('settles on an answer that comes before the body is complete, and the next part goes through', async () => {
    const { writer, destination } = setup();
    answer = (_req, res) => {
      res.writeHead(403, { connection: 'close' }).end('<Error><Code>AccessDenied</Code></Error>');
    };
    const stream = new PassThrough();
    stream.write(body.subarray(0, 1000));
    const err = await writer
      .writePart(destination, stream, body.length, new AbortController().signal, sha)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unavailable' });
    answer = stored;
    await expect(
      writer.writePart(destination, Readable.from([body]), body.length, new AbortController().signal, sha),
    ).resolves.toBe(`"${body.length}"`);
  });

  it('answers unavailable when storage cannot be reached', async () => {
    const { writer, destination } = setup();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const gone = { ...destination, signed: { ...destination.signed, url: `http://127.0.0.1:${port}/b/k` } };
    await expect(
      writer.writePart(gone, Readable.from([body]), body.length, new AbortController().signal, sha),
    ).rejects.toMatchObject({ code: 'unavailable' });
  });
});

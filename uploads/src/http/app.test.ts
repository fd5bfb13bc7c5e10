import { Writable } from 'node:stream';
import { createServiceMetrics, SESSION_ID_CLAIM, SessionLiveness, UPLOAD_ID_CLAIM } from '@lfusys/commons';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SlowBodyError } from '../domain/body-rate-guard.ts';
import { buildUploadsApp, type UploadsAppDeps } from './app.ts';

const UPLOAD_ID = 'upload-1';

/** The worker's HTTP surface with a receiver that answers `receive` as told; the token is always valid for UPLOAD_ID. */
function app(receive: UploadsAppDeps['receiver']['receive'], corsOrigins: string[] = []) {
  return buildUploadsApp({
    receiver: { receive, receivedIndexes: async () => ({ received: [], totalChunks: 1 }) },
    verifyToken: async () => ({ sub: 'user-1', [SESSION_ID_CLAIM]: 'session-1', [UPLOAD_ID_CLAIM]: UPLOAD_ID }),
    liveness: new SessionLiveness({
      lookup: async () => ({ userId: 'user-1', revoked: false, expiresAt: Date.now() / 1000 + 3600 }),
      cacheMs: 1000,
    }),
    logger: pino({ level: 'silent' }, new Writable({ write: (_c, _e, done) => done() })),
    metrics: createServiceMetrics('uploads-test'),
    readiness: [],
    corsOrigins,
    maxChunkBytes: 1024,
    timeouts: { headersMs: 1000, requestMs: 0, idleMs: 2000 },
  });
}

/** A receiver that accepts every chunk it is given. */
const accepted = async () => ({ index: 0, received: 1, totalChunks: 1, complete: true });

const putChunk = { method: 'PUT' as const, url: `/uploads/${UPLOAD_ID}/chunks/0`, payload: Buffer.from('abc') };
const octets = { authorization: 'Bearer token', 'content-type': 'application/octet-stream' };

describe('uploads HTTP surface on the shared edge', () => {
  it('answers unknown routes with the documented error shape', async () => {
    const res = await (await app(accepted)).inject({ url: '/nowhere' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { code: 'not_found', message: 'no route for GET /nowhere', requestId: res.headers['x-request-id'] },
    });
  });

  it('refuses a chunk without a token, in the documented shape', async () => {
    const res = await (await app(accepted)).inject({
      ...putChunk,
      headers: { 'x-request-id': 'req-12345678', 'content-type': 'application/octet-stream' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: 'unauthenticated', requestId: 'req-12345678' } });
  });

  it('answers a body the client sent too slowly with 408 (not the table’s 504), naming the limit', async () => {
    const slow = new SlowBodyError({ graceMs: 5000, minBytesPerSecond: 1000 }, 3, 9000);
    const res = await (await app(async () => Promise.reject(slow))).inject({ ...putChunk, headers: octets });
    expect(res.statusCode).toBe(408);
    expect(res.json()).toMatchObject({
      error: { code: 'deadline_exceeded', details: { limit: 'BODY_MIN_BYTES_PER_SECOND' } },
    });
  });

  it('refuses a body of a type no parser takes with unsupported_media_type', async () => {
    const res = await (await app(accepted)).inject({
      ...putChunk,
      headers: { ...octets, 'content-type': 'text/xml' },
    });
    expect([res.statusCode, res.json().error.code]).toEqual([415, 'unsupported_media_type']);
  });

  it("lets the app's origin PUT a chunk with its token, checksum and W3C trace context", async () => {
    const res = await (await app(accepted, ['http://localhost:5173'])).inject({
      method: 'OPTIONS',
      url: putChunk.url,
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'authorization,content-type,x-chunk-sha256,traceparent,tracestate',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(String(res.headers['access-control-allow-headers']).split(/,\s*/)).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'x-chunk-sha256', 'traceparent', 'tracestate']),
    );
  });
});

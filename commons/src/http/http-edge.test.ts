import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.ts';
import { createServiceMetrics } from '../ops/metrics.ts';
import { createHttpEdge, type HttpEdgeOptions } from './http-edge.ts';

type LogLine = Record<string, unknown> & { msg?: string; level?: number };

function edge(overrides: Partial<HttpEdgeOptions> = {}) {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const metrics = createServiceMetrics('edge-test');
  const app = createHttpEdge({
    logger: pino({ level: 'info' }, sink),
    metrics,
    readiness: [],
    bodyLimit: 64,
    timeouts: { headersMs: 1000, requestMs: 2000, idleMs: 3000 },
    ...overrides,
  });
  return { app, lines, metrics };
}

describe('createHttpEdge: errors', () => {
  it('answers an AppError with the documented shape, its details, its Retry-After and the request id', async () => {
    const { app } = edge();
    app.get('/limited', async () => {
      throw new AppError('too_many_requests', 'slow down', { retryAfterSeconds: 7, details: { limit: 'x' } });
    });
    const res = await app.inject({ url: '/limited', headers: { 'x-request-id': 'client-id-1234' } });
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.headers['x-request-id']).toBe('client-id-1234');
    expect(res.json()).toEqual({
      error: { code: 'too_many_requests', message: 'slow down', requestId: 'client-id-1234', details: { limit: 'x' } },
    });
  });

  it('hides everything about an unexpected failure and logs it once with its cause', async () => {
    const { app, lines, metrics } = edge();
    app.get('/boom', async () => {
      throw new Error('connect ECONNREFUSED 10.1.2.3 password=hunter2');
    });
    const res = await app.inject({ url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      error: { code: 'internal', message: 'internal error', requestId: res.headers['x-request-id'] },
    });
    expect(res.body).not.toContain('hunter2');
    const failures = lines.filter((l) => l.msg === 'request failed');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ code: 'internal', err: { message: expect.stringContaining('ECONNREFUSED') } });
    expect(await metrics.registry.metrics()).toContain('app_errors_total{code="internal",service="edge-test"} 1');
  });

  it('does not show details of a 5xx', async () => {
    const { app } = edge();
    app.get('/down', async () => {
      throw new AppError('unavailable', 'sessions unavailable', { details: { host: 'internal-host' } });
    });
    const res = await app.inject({ url: '/down' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: { code: 'unavailable', message: 'sessions unavailable' } });
    expect(res.body).not.toContain('internal-host');
  });

  it('logs a rejection at info, and a refusal by a limit at warn', async () => {
    const { app, lines } = edge();
    app.get('/missing', async () => {
      throw new AppError('not_found', 'no such upload');
    });
    app.get('/refused', async () => {
      throw new AppError('too_many_uploads', 'finish some first', { details: { limit: 'OPEN_UPLOADS' } });
    });
    await app.inject({ url: '/missing' });
    await app.inject({ url: '/refused' });
    const rejected = lines.filter((l) => l.msg === 'request rejected');
    expect(rejected.map((l) => [l.code, l.level])).toEqual([
      ['not_found', 30],
      ['too_many_uploads', 40],
    ]);
    expect(rejected[1]).toMatchObject({ details: { limit: 'OPEN_UPLOADS' }, reason: 'finish some first' });
  });

  it('maps what Fastify raises itself: a body over the limit is 413, an unknown content type 415, bad JSON 400', async () => {
    const { app } = edge();
    app.post('/echo', async (request) => request.body);
    const big = await app.inject({ method: 'POST', url: '/echo', payload: { text: 'x'.repeat(100) } });
    expect([big.statusCode, big.json().error.code]).toEqual([413, 'payload_too_large']);
    const xml = await app.inject({
      method: 'POST',
      url: '/echo',
      payload: '<a/>',
      headers: { 'content-type': 'application/xml' },
    });
    expect([xml.statusCode, xml.json().error.code]).toEqual([415, 'unsupported_media_type']);
    const bad = await app.inject({
      method: 'POST',
      url: '/echo',
      payload: '{',
      headers: { 'content-type': 'application/json' },
    });
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'invalid_argument']);
  });

  it('names the field a schema refused', async () => {
    const { app } = edge();
    const schema = { body: { type: 'object', properties: { size: { type: 'integer' } }, required: ['size'] } };
    app.post('/sized', { schema }, async () => ({ ok: true }));
    const res = await app.inject({ method: 'POST', url: '/sized', payload: { size: 'big' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'invalid_argument', details: { field: 'size' } } });
  });

  it("lets a service override the table's status for one of its own errors", async () => {
    class SlowError extends AppError {}
    const { app } = edge({ httpStatusOf: (err) => (err instanceof SlowError ? 408 : undefined) });
    app.get('/slow', async () => {
      throw new SlowError('deadline_exceeded', 'too slow');
    });
    app.get('/late', async () => {
      throw new AppError('deadline_exceeded', 'upstream timed out');
    });
    expect((await app.inject({ url: '/slow' })).statusCode).toBe(408);
    expect((await app.inject({ url: '/late' })).statusCode).toBe(504);
  });

  it('answers unknown routes with the documented not_found shape', async () => {
    const { app } = edge();
    const res = await app.inject({ method: 'DELETE', url: '/nowhere?secret=1' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.json()).toEqual({
      error: { code: 'not_found', message: 'no route for DELETE /nowhere', requestId: res.headers['x-request-id'] },
    });
  });
});

describe('createHttpEdge: request context and ops routes', () => {
  it('replaces a malformed request id with a UUID and logs every line with it', async () => {
    const { app, lines } = edge();
    const res = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id\nwith newline' } });
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const requestLines = lines.filter((l) => l.req !== undefined || l.res !== undefined);
    expect(requestLines.length).toBeGreaterThan(0);
    for (const line of requestLines) expect(line.requestId).toBe(res.headers['x-request-id']);
  });

  it('reports readiness per check, and durations by route template in /metrics', async () => {
    const { app } = edge({
      readiness: [
        { name: 'db', check: async () => {} },
        { name: 'queue', check: async () => Promise.reject(new TypeError('no route to 10.0.0.9')) },
      ],
    });
    app.get('/items/:id', async () => ({}));
    await app.inject({ url: '/items/42' });
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({
      ready: false,
      checks: { db: { ok: true }, queue: { ok: false, error: 'TypeError' } },
    });
    const metrics = await app.inject({ url: '/metrics' });
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain('route="/items/:id"');
  });

  it('is not ready once the process says it is shutting down', async () => {
    let shuttingDown = false;
    const { app } = edge({ isShuttingDown: () => shuttingDown });
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    shuttingDown = true;
    const res = await app.inject({ url: '/readyz' });
    expect([res.statusCode, res.json()]).toEqual([503, { ready: false, checks: {}, shuttingDown: true }]);
  });
});

import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createServiceMetrics } from '../ops/metrics.ts';
import { createHttpEdge } from './http-edge.ts';

/** One kept-alive connection: a request held open by the server, and a second one sent later on the same socket. */
function keptAlive(port: number) {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (chunk) => {
    text += chunk;
  });
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
  socket.write('GET /slow HTTP/1.1\r\nHost: edge\r\n\r\n');
  return {
    send: (path: string) => socket.write(`GET ${path} HTTP/1.1\r\nHost: edge\r\nx-request-id: late-request-1\r\n\r\n`),
    /** The last response on the connection, once the server closed it. */
    lastResponse: async () => {
      const raw = (await closed).split('HTTP/1.1 ').at(-1) ?? '';
      const [head = '', body = ''] = raw.split('\r\n\r\n');
      return { status: Number(head.slice(0, 3)), head: head.toLowerCase(), body: JSON.parse(body) as unknown };
    },
  };
}

describe('createHttpEdge while draining', () => {
  it('finishes requests in flight, and answers requests arriving on kept-alive connections in the documented shape', async () => {
    const app = createHttpEdge({
      logger: pino({ level: 'silent' }),
      metrics: createServiceMetrics('edge-drain-test'),
      readiness: [],
      bodyLimit: 64,
      timeouts: { headersMs: 5000, requestMs: 10_000, idleMs: 10_000 },
    });
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let arrived = 0;
    app.get('/slow', async () => {
      arrived++;
      await gate;
      return { done: true };
    });
    app.get('/work', async () => ({ done: true }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;

    const [work, ready] = [keptAlive(port), keptAlive(port)];
    while (arrived < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    const closed = app.close();
    while (app.server.listening) await new Promise((resolve) => setTimeout(resolve, 5));
    work.send('/work');
    ready.send('/readyz');
    release();
    await closed;

    const late = await work.lastResponse();
    expect(late.status).toBe(503);
    expect(late.head).toContain('retry-after: 1');
    expect(late.head).toContain('connection: close');
    expect(late.head).toContain('x-request-id: late-request-1');
    expect(late.body).toEqual({
      error: { code: 'unavailable', message: 'the server is shutting down', requestId: 'late-request-1' },
    });
    const readiness = await ready.lastResponse();
    expect([readiness.status, readiness.body]).toEqual([503, { ready: false, checks: {}, shuttingDown: true }]);
  });
});

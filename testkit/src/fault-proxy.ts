import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * What to do with a request passing through the proxy:
 * - `forward`: pass it on untouched;
 * - `hold`: never forward it (the caller hangs, as if the network stalled);
 * - `hold-response`: forward it, let the upstream act on it, but never return the answer;
 * - `fail`: answer 503 at once without forwarding (the service is down), in the protocol's shape
 *   (JSON for `x-amz-target` APIs, S3's XML otherwise);
 * - `reset`: destroy the connection without an answer (a crash or a network cut);
 * - `{ delayMs }`: forward after a pause (latency);
 * - `{ cutAfterBytes }`: forward the request, but cut both connections once that many body bytes
 *   have passed (a client or network dying mid-body).
 */
export type FaultAction =
  | 'forward'
  | 'hold'
  | 'hold-response'
  | 'fail'
  | 'reset'
  | { delayMs: number }
  | { cutAfterBytes: number };

export interface FaultProxy {
  /** Base URL to give a service instead of the real endpoint. */
  url: string;
  /** Decides per request; the default forwards everything. */
  setRule(rule: (req: IncomingMessage) => FaultAction): void;
  /** Resolves with the next request a rule faulted (`hold`, `fail`, `reset`; `hold-response` once the upstream answered). */
  nextHeld(): Promise<{ method: string; url: string }>;
  close(): Promise<void>;
}

/** An HTTP proxy in front of an emulator that stalls chosen requests, for crash and timeout tests (loopback only). */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let rule: (req: IncomingMessage) => FaultAction = () => 'forward';
  let waiters: Array<(held: { method: string; url: string }) => void> = [];
  const sockets = new Set<Socket>();
  const announce = (req: IncomingMessage) => {
    const held = { method: req.method ?? '', url: req.url ?? '' };
    for (const resolve of waiters) resolve(held);
    waiters = [];
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const action = rule(req);
    if (action === 'hold') {
      req.resume();
      announce(req);
      return;
    }
    if (action === 'fail') {
      req.resume();
      announce(req);
      if (req.headers['x-amz-target']) {
        res.writeHead(503, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: 'ServiceUnavailable', message: 'injected by the fault proxy' }));
      } else {
        res.writeHead(503, { 'content-type': 'application/xml' });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>ServiceUnavailable</Code><Message>injected by the fault proxy</Message></Error>',
        );
      }
      return;
    }
    if (action === 'reset') {
      announce(req);
      req.socket.destroy();
      return;
    }
    if (typeof action === 'object' && 'delayMs' in action) {
      req.pause();
      setTimeout(() => forward(req, res, 'forward'), action.delayMs);
      return;
    }
    if (typeof action === 'object') {
      announce(req);
      const out = forward(req, res, 'forward');
      let passed = 0;
      req.on('data', (chunk: Buffer) => {
        passed += chunk.length;
        if (passed >= action.cutAfterBytes) {
          out.destroy();
          req.socket.destroy();
        }
      });
      return;
    }
    forward(req, res, action);
  });

  function forward(req: IncomingMessage, res: ServerResponse, action: 'forward' | 'hold-response') {
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        if (action === 'hold-response') {
          answer.resume();
          answer.on('end', () => announce(req));
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
    return out;
  }
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setRule: (next) => {
      rule = next;
    },
    nextHeld: () => new Promise((resolve) => waiters.push(resolve)),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

import { createServer, type Server } from 'node:http';
import type { ReadinessCheck } from './health.ts';
import { runReadiness } from './health.ts';
import type { ServiceMetrics } from './metrics.ts';

export interface OpsServerOptions {
  host: string;
  port: number;
  readiness: readonly ReadinessCheck[];
  metrics: ServiceMetrics;
  isShuttingDown: () => boolean;
}

/** `/healthz`, `/readyz` and `/metrics` on their own port, for services whose main protocol is not HTTP. */
export async function startOpsServer(options: OpsServerOptions): Promise<Server> {
  const server = createServer((req, res) => {
    const reply = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return reply(405, '{"error":"method not allowed"}');
    if (path === '/healthz') return reply(200, '{"status":"ok"}');
    if (path === '/readyz') {
      if (options.isShuttingDown()) return reply(503, '{"ready":false,"shuttingDown":true}');
      void runReadiness(options.readiness).then((r) => reply(r.ready ? 200 : 503, JSON.stringify(r)));
      return;
    }
    if (path === '/metrics') {
      void options.metrics.registry.metrics().then((m) => reply(200, m, options.metrics.registry.contentType));
      return;
    }
    reply(404, '{"error":"not found"}');
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  return server;
}

import cluster from 'node:cluster';
import { ConfigError, createLogger, loadConfig, retryStartup } from '@lfusys/commons';
import { createUploadsDeps } from './compose.ts';
import { uploadsConfigSchema } from './config.ts';
import { buildUploadsApp } from './http/app.ts';

/**
 * `WORKERS` processes share one port through node:cluster; the primary only supervises (restarts
 * a worker that dies) and forwards SIGTERM so every worker drains its in-flight chunks.
 */
async function main(): Promise<void> {
  const config = loadConfig(uploadsConfigSchema, process.env);
  if (cluster.isPrimary && config.WORKERS > 1) {
    let stopping = false;
    for (let i = 0; i < config.WORKERS; i++) cluster.fork();
    cluster.on('exit', (worker, code) => {
      if (!stopping) {
        console.error(`uploads worker ${worker.process.pid} exited (${code}); starting another`);
        cluster.fork();
      } else if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
    const stop = () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    return;
  }
  let stopping = false;
  const logger = createLogger({ service: 'uploads', level: config.LOG_LEVEL });
  // A worker restarted while storage is flaky waits it out instead of exiting at the first reset.
  const deps = await retryStartup(() => createUploadsDeps(config, { logger, isShuttingDown: () => stopping }), {
    what: 'uploads dependencies',
    totalMs: config.STARTUP_RETRY_MS,
    logger,
  });
  const app = await buildUploadsApp(deps);
  await app.listen({ host: config.HOST, port: config.PORT });
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(1), config.SHUTDOWN_GRACE_MS);
    force.unref();
    // Fastify's close waits for in-flight chunk requests to finish.
    app.close().then(
      () => {
        deps.close();
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});

import cluster from 'node:cluster';
import {
  callerKeySourcesShape,
  callerKeyValues,
  createLogger,
  keyProvisioning,
  loadConfig,
  type RunningService,
  retryStartup,
  runService,
} from '@lfusys/commons';
import { z } from 'zod';
import { createUploadsDeps } from './compose.ts';
import { type UploadsConfig, uploadsConfigSchema } from './config.ts';
import { buildUploadsApp } from './http/app.ts';

/** How much longer than a worker's grace the primary waits for its workers before exiting anyway. */
const PRIMARY_GRACE_MARGIN_MS = 5_000;

/**
 * `WORKERS` processes share one port through node:cluster; the primary only supervises (restarts
 * a worker that dies) and forwards SIGTERM so every worker drains its in-flight chunks.
 */
async function supervise(config: UploadsConfig, keys: Record<string, string>): Promise<RunningService> {
  const logger = createLogger({ service: 'uploads', level: config.LOG_LEVEL });
  let stopping = false;
  let allExited = () => {};
  const exited = new Promise<void>((resolve) => {
    allExited = resolve;
  });
  // Workers get the keys the primary read as environment values, so they read no secret themselves.
  for (let i = 0; i < config.WORKERS; i++) cluster.fork(keys);
  cluster.on('exit', (worker, code) => {
    if (!stopping) {
      logger.error({ workerPid: worker.process.pid, code }, 'uploads worker exited; starting another');
      cluster.fork(keys);
    } else if (Object.keys(cluster.workers ?? {}).length === 0) allExited();
  });
  return {
    logger,
    graceMs: config.SHUTDOWN_GRACE_MS + PRIMARY_GRACE_MARGIN_MS,
    close: () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
      return exited;
    },
  };
}

/** One worker: the chunk receiver on the shared HTTP edge. */
async function serve(config: UploadsConfig): Promise<RunningService> {
  const logger = createLogger({ service: 'uploads', level: config.LOG_LEVEL });
  // A worker restarted while storage is flaky waits it out instead of exiting at the first reset.
  const deps = await retryStartup(() => createUploadsDeps(config, { logger }), {
    what: 'uploads dependencies',
    totalMs: config.STARTUP_RETRY_MS,
    logger,
  });
  const app = await buildUploadsApp(deps);
  await app.listen({ host: config.HOST, port: config.PORT });
  return {
    logger,
    graceMs: config.SHUTDOWN_GRACE_MS,
    // Fastify's close waits for in-flight chunk requests to finish.
    close: () => app.close().then(() => deps.close()),
  };
}

void runService(async () => {
  // Keys held in Secrets Manager (AWS) are read, or created on the first start, before the config.
  const sources = loadConfig(z.object(callerKeySourcesShape), process.env);
  const keyLogger = createLogger({ service: 'uploads', level: sources.LOG_LEVEL });
  const keys = await retryStartup(() => callerKeyValues(sources, () => keyProvisioning(sources, keyLogger)), {
    what: 'uploads keys',
    totalMs: sources.STARTUP_RETRY_MS,
    logger: keyLogger,
  });
  const config = loadConfig(uploadsConfigSchema, { ...process.env, ...keys });
  return cluster.isPrimary && config.WORKERS > 1 ? supervise(config, keys) : serve(config);
});

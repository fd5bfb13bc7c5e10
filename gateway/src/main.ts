import { createLogger, loadConfig, retryStartup, runService } from '@lfusys/commons';
import { createGatewayDeps } from './compose.ts';
import { gatewayConfigSchema } from './config.ts';
import { buildApp } from './http/app.ts';
import { gatewayKeySourcesSchema, gatewayKeyValues } from './keys.ts';

/** Composition root: load config once, listen, and drain on SIGTERM/SIGINT (runService). */
void runService(async () => {
  // Keys held in Secrets Manager (AWS) are read, or created on the first start, before the config.
  const sources = loadConfig(gatewayKeySourcesSchema, process.env);
  const logger = createLogger({ service: 'gateway', level: sources.LOG_LEVEL });
  const keys = await retryStartup(() => gatewayKeyValues(sources, logger), {
    what: 'gateway keys',
    totalMs: sources.STARTUP_RETRY_MS,
    logger,
  });
  const config = loadConfig(gatewayConfigSchema, { ...process.env, ...keys });
  // Dependencies that are down at start are waited for (bounded) rather than exiting at once.
  const deps = await retryStartup(() => createGatewayDeps(config, logger), {
    what: 'gateway dependencies',
    totalMs: config.STARTUP_RETRY_MS,
    logger,
  });
  const app = await buildApp(config, deps);
  await app.listen({ host: config.HOST, port: config.PORT });
  // Fastify's close stops accepting connections and waits for in-flight requests.
  return { logger: deps.logger, graceMs: config.SHUTDOWN_GRACE_MS, close: () => app.close() };
});

import { ConfigError, createLogger, loadConfig, retryStartup } from '@lfusys/commons';
import { createGatewayDeps } from './compose.ts';
import { gatewayConfigSchema } from './config.ts';
import { buildApp } from './http/app.ts';

/** Composition root: load config once, listen, and drain on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const config = loadConfig(gatewayConfigSchema, process.env);
  const logger = createLogger({ service: 'gateway', level: config.LOG_LEVEL });
  // Dependencies that are down at start are waited for (bounded) rather than exiting at once.
  const deps = await retryStartup(() => createGatewayDeps(config, logger), {
    what: 'gateway dependencies',
    totalMs: config.STARTUP_RETRY_MS,
    logger,
  });
  const app = await buildApp(config, deps);
  await app.listen({ host: config.HOST, port: config.PORT });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.logger.info({ signal }, 'shutting down');
    // Fastify's close stops accepting connections and waits for in-flight requests.
    const force = setTimeout(() => {
      deps.logger.error('shutdown grace period elapsed; exiting');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        deps.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});

import { createLogger, loadConfig, retryStartup, runService } from '@lfusys/commons';
import { startOpsServer } from '@lfusys/commons/http';
import { SqsAssemblyInbox } from './adapters/sqs-assembly-inbox.ts';
import { createSessionsDeps } from './compose.ts';
import { sessionsConfigSchema } from './config.ts';
import { sessionsKeySourcesSchema, sessionsKeyValues } from './keys.ts';
import { startRpcServer } from './rpc/server.ts';
import { AssemblyConsumer } from './workers/assembly-consumer.ts';
import { startSweeper } from './workers/sweeper.ts';

/** Composition root: gRPC server, assembly consumer, sweeper, ops endpoints; drains on SIGTERM (runService). */
void runService(async () => {
  // Its TLS certificate held in Secrets Manager (AWS) is read, or made on the first start, before the config.
  const sources = loadConfig(sessionsKeySourcesSchema, process.env);
  const logger = createLogger({ service: 'sessions', level: sources.LOG_LEVEL });
  const keys = await retryStartup(() => sessionsKeyValues(sources, logger), {
    what: 'sessions TLS certificate',
    totalMs: sources.STARTUP_RETRY_MS,
    logger,
  });
  const config = loadConfig(sessionsConfigSchema, { ...process.env, ...keys });
  // A restart while storage is flaky waits it out instead of exiting at the first reset.
  const deps = await retryStartup(() => createSessionsDeps(config, logger), {
    what: 'sessions dependencies',
    totalMs: config.STARTUP_RETRY_MS,
    logger,
  });
  const { server, port, health } = await startRpcServer(deps, {
    address: `${config.GRPC_HOST}:${config.GRPC_PORT}`,
    tls:
      config.GRPC_TLS_CERT_PEM && config.GRPC_TLS_KEY_PEM
        ? { certPem: config.GRPC_TLS_CERT_PEM, keyPem: config.GRPC_TLS_KEY_PEM }
        : undefined,
    maxConnectionAgeMs: config.GRPC_MAX_CONNECTION_AGE_MS,
    maxConnectionAgeGraceMs: config.GRPC_MAX_CONNECTION_AGE_GRACE_MS,
  });
  const consumer = new AssemblyConsumer({
    inbox: new SqsAssemblyInbox(deps.sqs, deps.queueUrl),
    assembler: deps.assembler,
    logger: deps.logger,
    concurrency: config.ASSEMBLY_CONCURRENCY,
    visibilityTimeoutSeconds: config.ASSEMBLY_VISIBILITY_TIMEOUT_SECONDS,
    maxReceiveCount: config.ASSEMBLY_MAX_RECEIVES,
  });
  consumer.start();
  const stopSweeper = startSweeper(deps.sweeper, config.SWEEP_INTERVAL_MS, { budgetMs: config.SWEEP_BUDGET_MS });
  let stopping = false;
  const ops = await startOpsServer({
    host: config.GRPC_HOST,
    port: config.OPS_PORT,
    logger: deps.logger,
    readiness: deps.readiness,
    metrics: deps.metrics,
    isShuttingDown: () => stopping,
  });
  deps.logger.info(
    { grpcPort: port, opsPort: config.OPS_PORT, tls: config.GRPC_TLS_CERT_PEM !== undefined },
    'sessions listening',
  );

  return {
    logger: deps.logger,
    graceMs: config.SHUTDOWN_GRACE_MS,
    close: async () => {
      stopping = true;
      health.setStatus('', 'NOT_SERVING');
      stopSweeper();
      // Calls waiting for an upload to change answer now, with what they have: the drain is not held.
      deps.statusWatch.signals.close();
      await Promise.all([consumer.stop(), new Promise<void>((resolve) => server.tryShutdown(() => resolve()))]);
      await ops.close();
    },
  };
});

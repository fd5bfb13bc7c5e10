import { ConfigError } from './config/load-config.ts';
import { shutdownSpans } from './telemetry/spans.ts';

/** A started service, as `runService` stops it. */
export interface RunningService {
  logger: { info(fields: object, message: string): void; error(fields: object, message: string): void };
  /** How long `close` may take before the process exits anyway, with status 1 (`SHUTDOWN_GRACE_MS`). */
  graceMs: number;
  /** Stops taking work and drains what is in flight. */
  close(): Promise<void>;
}

/** The parts of `process` a service's life touches; tests pass their own. */
export interface ServiceHost {
  on(signal: 'SIGTERM' | 'SIGINT', listener: () => void): void;
  exit(code: number): void;
  setTimeout(callback: () => void, ms: number): { unref(): void };
  reportStartFailure(err: unknown): void;
}

const processHost: ServiceHost = {
  on: (signal, listener) => void process.on(signal, listener),
  exit: (code) => process.exit(code),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  // Before a logger exists (bad config) stderr is all there is; a ConfigError's message lists every bad key.
  reportStartFailure: (err) => console.error(err instanceof ConfigError ? err.message : err),
};

/**
 * A service process's life: start it (a failure exits 1), then on the first SIGTERM or SIGINT (later ones are ignored) log
 * `shutting down`, close it and exit 0, or 1 when closing fails or outlasts the grace period.
 * Tracing ends after the drain and before the exit: the spans of the drain itself (the last
 * requests, assemblies, the consumer's stop) are exported too.
 */
export function runService(start: () => Promise<RunningService>, host: ServiceHost = processHost): Promise<void> {
  return start().then(
    (service) => {
      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        service.logger.info({ signal }, 'shutting down');
        host
          .setTimeout(() => {
            service.logger.error({ graceMs: service.graceMs }, 'shutdown grace period elapsed; exiting');
            host.exit(1);
          }, service.graceMs)
          .unref();
        // An export that fails is the exporter's to report; it must not turn a clean drain into a failure.
        const exitAfterSpans = (code: number) =>
          shutdownSpans()
            .catch(() => undefined)
            .then(() => host.exit(code));
        service.close().then(
          () => exitAfterSpans(0),
          (err: unknown) => {
            service.logger.error({ err }, 'shutdown failed');
            return exitAfterSpans(1);
          },
        );
      };
      host.on('SIGTERM', () => shutdown('SIGTERM'));
      host.on('SIGINT', () => shutdown('SIGINT'));
    },
    (err: unknown) => {
      host.reportStartFailure(err);
      host.exit(1);
    },
  );
}

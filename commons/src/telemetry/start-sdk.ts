import { register } from 'node:module';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { FileSpanExporter } from './file-span-exporter.ts';
import { REDACTED_QUERY_PARAMS, redactTarget, redactUrl } from './redact-url.ts';
import { serverSampler } from './sampler.ts';
import type { TelemetrySettings } from './settings.ts';

/** Probes and scrapes: thousands a day, no one's request, not worth a span. */
const OPS_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
const isOpsPath = (url: string | undefined) => OPS_PATHS.has((url ?? '').split('?')[0] ?? '');

/**
 * Starts the OpenTelemetry SDK with the instrumentations of what the services use: Fastify, HTTP
 * (in and out), fetch (undici), gRPC client and server, the AWS SDK (DynamoDB, S3, SQS; SQS
 * messages carry the trace context in their attributes). Only traces: logs stay pino's, metrics
 * stay Prometheus'. The exporter and batch sizes come from the standard `OTEL_*` keys (the SDK
 * reads them), except that `TRACES_DIR` writes OTLP/JSON lines to a local file instead; the sampler
 * is the one those keys name, made by `serverSampler` so a remote parent's flag is not trusted.
 *
 * ES modules are patched through import-in-the-middle's loader hook, told to wrap only the
 * modules an instrumentation asked for, so every other import loads untouched.
 * https://github.com/open-telemetry/opentelemetry-js/blob/main/doc/esm-support.md
 */
export async function startTelemetry(settings: TelemetrySettings): Promise<NodeSDK> {
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  const file = settings.tracesDir ? new FileSpanExporter(settings.tracesDir, settings.serviceName) : undefined;
  const sdk = new NodeSDK({
    serviceName: settings.serviceName,
    // The standard samplers, except that a client's sampled flag is not followed (sampler.ts).
    sampler: serverSampler(settings),
    ...(file ? { spanProcessors: [new BatchSpanProcessor({ exporter: file })] } : {}),
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => isOpsPath(req.url),
        redactedQueryParamsServer: REDACTED_QUERY_PARAMS,
        redactedQueryParams: REDACTED_QUERY_PARAMS,
      }),
      // Replaces the URL attributes it would record whole (a presigned part URL's signature).
      new UndiciInstrumentation({
        startSpanHook: (request) => {
          const url = redactUrl(new URL(request.path, request.origin));
          return { 'url.full': url.toString(), 'url.query': url.search };
        },
      }),
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        ignorePaths: (route) => isOpsPath(route.url),
        // preHandler is where authentication and limits run (and call DynamoDB); a span for every
        // other hook of every request would cost more than it tells.
        instrumentHooks: ['preHandler'],
        // It records request.url, query string included.
        requestHook: (span, request) => span.setAttribute('url.path', redactTarget(request.url)),
      }),
      // The standard health service is polled by the gateway's readiness probe.
      new GrpcInstrumentation({ ignoreGrpcMethods: ['Check', 'Watch'] }),
      // One span per AWS call, without the HTTP request span under it.
      new AwsInstrumentation({ suppressInternalInstrumentation: true }),
    ],
  });
  sdk.start();
  await waitForAllMessagesAcknowledged();
  // Stopped by runService once the service has drained (shutdownSpans), not here on the signal.
  if (file) console.error(`tracing: ${settings.serviceName} writes spans to ${file.path}`);
  return sdk;
}

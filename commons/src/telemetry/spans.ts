import {
  type Attributes,
  type Link,
  ProxyTracerProvider,
  propagation,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

const tracer = trace.getTracer('lfusys');

/**
 * The W3C Trace Context request headers the web app sends (docs/tracing.md): the CORS allow-list
 * of the gateway and the uploads workers names them, or a browser on another origin could not send
 * them. https://www.w3.org/TR/trace-context/#trace-context-http-headers-format
 */
export const TRACE_CONTEXT_HEADERS = ['traceparent', 'tracestate'] as const;

/** The span attribute naming the upload a span worked on; `make trace UPLOAD=<id>` finds traces by it. */
export const UPLOAD_ID_ATTRIBUTE = 'lfusys.upload.id';

export interface SpanOptions {
  attributes?: Attributes;
  /** Spans of other traces this one follows from, e.g. the chunk whose message started an assembly. */
  links?: Link[];
  /** Starts a trace of its own instead of a child of the active span. */
  root?: boolean;
}

/**
 * Runs `work` inside a span named `name` (one of our own steps: chunk verify, record, assemble,
 * verify whole file), ended when it settles and marked as an error when it throws. With tracing
 * off this is the API's no-op span: a call, no allocation worth counting.
 */
export function inSpan<T>(name: string, options: SpanOptions, work: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(
    name,
    { attributes: options.attributes ?? {}, links: options.links ?? [], root: options.root ?? false },
    async (span) => {
      try {
        return await work();
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

/** Names the upload on the active span (a request that creates one learns its id half-way). */
export function tagUpload(uploadId: string): void {
  trace.getActiveSpan()?.setAttribute(UPLOAD_ID_ATTRIBUTE, uploadId);
}

/** A link to the span whose W3C trace context (`traceparent`, `tracestate`) `carrier` holds; none when it holds none. */
export function linksFrom(carrier: Readonly<Record<string, string>>): Link[] {
  const context = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, carrier));
  return context ? [{ context }] : [];
}

/** The active span's ids for a log line; empty outside a span or with tracing off. */
export function traceFields(): { trace_id?: string; span_id?: string } {
  const context = trace.getActiveSpan()?.spanContext();
  return context ? { trace_id: context.traceId, span_id: context.spanId } : {};
}

/**
 * Exports the spans the SDK still holds and stops it (nothing with tracing off): the last step of a
 * service's shutdown, after its drain, so the spans the drain ended are exported too. Failures are
 * the exporter's to log.
 */
export async function shutdownSpans(): Promise<void> {
  const global = trace.getTracerProvider();
  const provider: object = global instanceof ProxyTracerProvider ? global.getDelegate() : global;
  if ('shutdown' in provider && typeof provider.shutdown === 'function') await provider.shutdown();
}

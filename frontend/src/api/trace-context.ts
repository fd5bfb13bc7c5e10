import {
  defaultTextMapSetter,
  isValidSpanId,
  isValidTraceId,
  ROOT_CONTEXT,
  type SpanContext,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * One user action's trace (opening and sending an upload, a rename…): every request the action
 * makes carries its id, so the services' spans of all of them form one trace.
 */
export interface BrowserTrace {
  /** 32 lowercase hex digits, never all zeros (W3C Trace Context, `trace-id`). */
  readonly traceId: string;
}

const propagator = new W3CTraceContextPropagator();

/** `bytes` random bytes as lowercase hex (the browser's CSPRNG: ids must not be guessable from one another). */
function randomHex(bytes: number, valid: (hex: string) => boolean): string {
  for (;;) {
    const hex = Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join(
      '',
    );
    // All zeros is the one invalid id; drawn once in 2^64 tries at worst.
    if (valid(hex)) return hex;
  }
}

/** A new trace: the start of a user action. */
export function newTrace(): BrowserTrace {
  return { traceId: randomHex(16, isValidTraceId) };
}

/**
 * The W3C `traceparent` header of one request of `action` (a trace of its own when none is given):
 * the action's trace id and a fresh parent id, so the server span of each request is a child of
 * its own (unrecorded) browser span. The sampled flag is left unset: the browser records nothing,
 * and whether a trace is kept is the server's decision, which ignores a client's flag anyway
 * (docs/tracing.md, "Sampling and cost"). Formatted by OpenTelemetry's own propagator.
 * https://www.w3.org/TR/trace-context/#traceparent-header
 */
export function traceHeaders(action: BrowserTrace = newTrace()): Record<string, string> {
  const parent: SpanContext = {
    traceId: action.traceId,
    spanId: randomHex(8, isValidSpanId),
    traceFlags: TraceFlags.NONE,
  };
  const headers: Record<string, string> = {};
  propagator.inject(trace.setSpanContext(ROOT_CONTEXT, parent), headers, defaultTextMapSetter);
  return headers;
}

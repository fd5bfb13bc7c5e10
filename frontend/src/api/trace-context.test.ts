import { defaultTextMapGetter, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { newTrace, traceHeaders } from './trace-context.ts';

/** https://www.w3.org/TR/trace-context/#traceparent-header-field-values (version 00). */
const TRACEPARENT = /^00-(?!0{32})([0-9a-f]{32})-(?!0{16})([0-9a-f]{16})-([0-9a-f]{2})$/;

/** What a server's propagator reads from the headers. */
const parentOf = (headers: Record<string, string>) =>
  trace.getSpanContext(new W3CTraceContextPropagator().extract(ROOT_CONTEXT, headers, defaultTextMapGetter));

describe('traceHeaders', () => {
  it("writes a W3C traceparent with the action's trace id, a fresh parent id per request and the sampled flag unset", () => {
    const action = newTrace();
    const first = traceHeaders(action);
    const second = traceHeaders(action);
    expect(Object.keys(first)).toEqual(['traceparent']);
    const [, traceId, spanId, flags] = TRACEPARENT.exec(first.traceparent ?? '') ?? [];
    expect(traceId).toBe(action.traceId);
    expect(flags).toBe('00');
    expect(TRACEPARENT.exec(second.traceparent ?? '')?.[1]).toBe(action.traceId);
    expect(TRACEPARENT.exec(second.traceparent ?? '')?.[2]).not.toBe(spanId);
    expect(parentOf(first)).toMatchObject({ traceId: action.traceId, spanId, traceFlags: 0, isRemote: true });
  });

  it('starts a trace of its own for a request that belongs to no action', () => {
    const ids = new Set(Array.from({ length: 50 }, () => parentOf(traceHeaders())?.traceId));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
  });
});

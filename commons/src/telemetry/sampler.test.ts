import { randomBytes } from 'node:crypto';
import { type Context, ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { serverSampler } from './sampler.ts';

const traceId = () => randomBytes(16).toString('hex');

/** A context whose span came over the wire (`isRemote`, a `traceparent`) or from this process. */
function parent(id: string, sampled: boolean, isRemote: boolean): Context {
  const traceFlags = sampled ? TraceFlags.SAMPLED : TraceFlags.NONE;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: id,
    spanId: randomBytes(8).toString('hex'),
    traceFlags,
    isRemote,
  });
}

const kept = (sampler: ReturnType<typeof serverSampler>, context: Context, id: string) =>
  sampler.shouldSample(context, id, 'POST /api/v1/uploads', SpanKind.SERVER, {}, []).decision ===
  SamplingDecision.RECORD_AND_SAMPLED;

/** Trace ids the plain ratio keeps, and ones it drops. */
function idsByRatio(ratio: number): { keptIds: string[]; droppedIds: string[] } {
  const ratioSampler = new TraceIdRatioBasedSampler(ratio);
  const ids = Array.from({ length: 400 }, traceId);
  const keeps = (id: string) => kept(ratioSampler, ROOT_CONTEXT, id);
  return { keptIds: ids.filter(keeps), droppedIds: ids.filter((id) => !keeps(id)) };
}

describe('serverSampler', () => {
  const ratio = { sampler: 'parentbased_traceidratio' as const, samplerRatio: 0.05 };

  it("does not follow a remote parent's sampled flag: a client cannot ask for its requests to be traced", () => {
    const sampler = serverSampler(ratio);
    const { keptIds, droppedIds } = idsByRatio(0.05);
    expect(droppedIds.length).toBeGreaterThan(300);
    for (const id of droppedIds) expect(kept(sampler, parent(id, true, true), id)).toBe(false);
    // …nor a remote "not sampled": the ratio decides, as for a trace that starts here.
    for (const id of keptIds) expect(kept(sampler, parent(id, false, true), id)).toBe(true);
  });

  it('keeps the configured share of traces whatever the client sends', () => {
    const sampler = serverSampler(ratio);
    const ids = Array.from({ length: 4000 }, traceId);
    const share = ids.filter((id) => kept(sampler, parent(id, true, true), id)).length / ids.length;
    expect(share).toBeGreaterThan(0.03);
    expect(share).toBeLessThan(0.07);
  });

  it('follows a local parent, so a trace kept here is kept whole', () => {
    const sampler = serverSampler(ratio);
    const { droppedIds } = idsByRatio(0.05);
    const [id = ''] = droppedIds;
    expect(kept(sampler, parent(id, true, false), id)).toBe(true);
    expect(kept(sampler, parent(id, false, false), id)).toBe(false);
  });

  it('keeps every trace under the default (parentbased_always_on), even one a client marked not sampled', () => {
    const sampler = serverSampler({ sampler: 'parentbased_always_on', samplerRatio: 1 });
    const id = traceId();
    expect(kept(sampler, parent(id, false, true), id)).toBe(true);
    expect(kept(sampler, ROOT_CONTEXT, id)).toBe(true);
  });

  it('keeps nothing under parentbased_always_off, even a trace a client marked sampled', () => {
    const sampler = serverSampler({ sampler: 'parentbased_always_off', samplerRatio: 1 });
    const id = traceId();
    expect(kept(sampler, parent(id, true, true), id)).toBe(false);
  });

  it('leaves the samplers that ignore parents as they are (traceidratio)', () => {
    const sampler = serverSampler({ sampler: 'traceidratio', samplerRatio: 0.05 });
    const { keptIds, droppedIds } = idsByRatio(0.05);
    const [keptId = '', droppedId = ''] = [keptIds[0], droppedIds[0]];
    expect(kept(sampler, parent(droppedId, true, false), droppedId)).toBe(false);
    expect(kept(sampler, ROOT_CONTEXT, keptId)).toBe(true);
  });
});

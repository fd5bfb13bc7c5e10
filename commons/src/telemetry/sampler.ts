import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace';
import type { TelemetrySettings } from './settings.ts';

/** The sampler a trace's first span gets: every trace, none, or a ratio chosen from the trace id. */
function rootSampler(name: string, ratio: number): Sampler {
  if (name.endsWith('always_on')) return new AlwaysOnSampler();
  if (name.endsWith('always_off')) return new AlwaysOffSampler();
  return new TraceIdRatioBasedSampler(ratio);
}

/**
 * The SDK's sampler for `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG` (default
 * `parentbased_always_on`, ratio 1), with one change to the standard parent-based samplers: a
 * *remote* parent's sampled flag is not followed. A browser sends a `traceparent` of its own
 * (docs/tracing.md), and a client that set `sampled` on every request would otherwise have every
 * one of them traced whatever the configured ratio; so a span whose parent came over the wire is
 * decided like a root, by the ratio on its trace id. The ratio's decision is a function of the
 * trace id alone, so the services still agree along a trace (gateway → sessions over gRPC), and a
 * span under a local parent follows it, so a trace is kept whole within a process.
 * https://opentelemetry.io/docs/specs/otel/trace/sdk/#parentbased
 */
export function serverSampler(settings: Pick<TelemetrySettings, 'sampler' | 'samplerRatio'>): Sampler {
  const root = rootSampler(settings.sampler, settings.samplerRatio);
  if (!settings.sampler.startsWith('parentbased_')) return root;
  return new ParentBasedSampler({ root, remoteParentSampled: root, remoteParentNotSampled: root });
}

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UPLOAD_ID_ATTRIBUTE } from './spans.ts';

/** One span as read back from the OTLP/JSON lines FileSpanExporter writes. */
export interface StoredSpan {
  service: string;
  traceId: string;
  spanId: string;
  /** Empty for a trace's root span. */
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startMs: number;
  endMs: number;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  attributes: Record<string, string | number | boolean>;
  links: { traceId: string; spanId: string }[];
}

/** OTLP/JSON's AnyValue, for the scalar kinds spans carry. https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding */
interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpKeyValue {
  key: string;
  value?: OtlpValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: OtlpKeyValue[];
  links?: { traceId: string; spanId: string }[];
  status?: { code?: number };
}
interface OtlpRequest {
  resourceSpans?: { resource?: { attributes?: OtlpKeyValue[] }; scopeSpans?: { spans?: OtlpSpan[] }[] }[];
}

const scalar = (v: OtlpValue | undefined) =>
  v?.stringValue ?? v?.boolValue ?? v?.doubleValue ?? Number(v?.intValue ?? 0);
const attributesOf = (list: OtlpKeyValue[] | undefined) =>
  Object.fromEntries((list ?? []).map((a) => [a.key, scalar(a.value)]));
const millis = (nanos: string | number) => Number(BigInt(String(nanos)) / 1000n) / 1000;

/** Every span in one export line. */
export function spansOfLine(line: string): StoredSpan[] {
  const request = JSON.parse(line) as OtlpRequest;
  return (request.resourceSpans ?? []).flatMap((rs) => {
    const service = String(attributesOf(rs.resource?.attributes)['service.name'] ?? '');
    return (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((s) => ({
        service,
        traceId: s.traceId,
        spanId: s.spanId,
        parentSpanId: s.parentSpanId ?? '',
        name: s.name,
        kind: s.kind ?? 1,
        startMs: millis(s.startTimeUnixNano),
        endMs: millis(s.endTimeUnixNano),
        statusCode: s.status?.code ?? 0,
        attributes: attributesOf(s.attributes),
        links: (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
      })),
    );
  });
}

/** Every span in the `*.jsonl` files of `dir` (a line cut short by a process still writing is skipped). */
export async function readSpans(dir: string): Promise<StoredSpan[]> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.jsonl'));
  const spans: StoredSpan[] = [];
  for (const file of files) {
    for (const line of (await readFile(join(dir, file), 'utf8')).split('\n')) {
      if (line.trim() === '') continue;
      try {
        spans.push(...spansOfLine(line));
      } catch {
        // Partial last line.
      }
    }
  }
  return spans;
}

/**
 * The traces of one upload: each trace with a span naming it (its creation, its chunks, its
 * assembly), plus the traces its spans link to (the chunk request that queued the assembly).
 * Grouped by trace, oldest first.
 */
export function uploadTraces(spans: readonly StoredSpan[], uploadId: string): StoredSpan[][] {
  const ids = new Set(spans.filter((s) => s.attributes[UPLOAD_ID_ATTRIBUTE] === uploadId).map((s) => s.traceId));
  for (const s of spans) if (ids.has(s.traceId)) for (const link of s.links) ids.add(link.traceId);
  const byTrace = new Map<string, StoredSpan[]>();
  for (const s of spans) if (ids.has(s.traceId)) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
  const start = (trace: StoredSpan[]) => Math.min(...trace.map((s) => s.startMs));
  return [...byTrace.values()].sort((a, b) => start(a) - start(b));
}

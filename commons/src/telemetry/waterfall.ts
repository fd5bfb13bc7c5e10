import type { StoredSpan } from './trace-files.ts';

const BAR_WIDTH = 40;
const NAME_WIDTH = 56;

/** Spans in tree order (each followed by its children, by start time), with their depth. */
function inTreeOrder(spans: readonly StoredSpan[]): { span: StoredSpan; depth: number }[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, StoredSpan[]>();
  for (const s of spans) {
    const parent = ids.has(s.parentSpanId) ? s.parentSpanId : '';
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  const out: { span: StoredSpan; depth: number }[] = [];
  const visit = (parent: string, depth: number) => {
    for (const span of (children.get(parent) ?? []).sort((a, b) => a.startMs - b.startMs)) {
      out.push({ span, depth });
      visit(span.spanId, depth + 1);
    }
  };
  visit('', 0);
  return out;
}

/**
 * One trace as a terminal waterfall: a line per span, indented under its parent, with its
 * service, a bar placed on the trace's time line, and its duration; `!` marks an error status,
 * `↪` a link to another trace.
 */
export function renderWaterfall(trace: readonly StoredSpan[]): string {
  const start = Math.min(...trace.map((s) => s.startMs));
  const end = Math.max(...trace.map((s) => s.endMs));
  const total = Math.max(end - start, 0.001);
  const root = inTreeOrder(trace)[0]?.span;
  const lines = [`trace ${root?.traceId ?? '?'}  ${new Date(start).toISOString()}  ${total.toFixed(1)} ms`];
  for (const { span, depth } of inTreeOrder(trace)) {
    const from = Math.floor(((span.startMs - start) / total) * BAR_WIDTH);
    const width = Math.max(1, Math.round(((span.endMs - span.startMs) / total) * BAR_WIDTH));
    const bar = `${' '.repeat(from)}${'█'.repeat(Math.min(width, BAR_WIDTH - from))}`.padEnd(BAR_WIDTH);
    const label = `${'  '.repeat(depth)}${span.statusCode === 2 ? '! ' : ''}${span.name}`;
    const name = label.length > NAME_WIDTH ? `${label.slice(0, NAME_WIDTH - 1)}…` : label.padEnd(NAME_WIDTH);
    lines.push(`  ${span.service.padEnd(9)} ${name} │${bar}│ ${(span.endMs - span.startMs).toFixed(1).padStart(8)} ms`);
    for (const link of span.links)
      lines.push(`  ${''.padEnd(9)} ${'  '.repeat(depth + 1)}↪ linked to trace ${link.traceId}`);
  }
  return lines.join('\n');
}

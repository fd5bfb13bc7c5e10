import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSpanExporter } from './file-span-exporter.ts';
import { inSpan, linksFrom, tagUpload, UPLOAD_ID_ATTRIBUTE } from './spans.ts';
import { readSpans, uploadTraces } from './trace-files.ts';
import { renderWaterfall } from './waterfall.ts';

const UPLOAD = '0b8f7a52-8c1e-4f0e-9d51-6f1f2a3b4c5d';
let dir: string;
let exporter: FileSpanExporter;
let provider: TracerProvider;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lfusys-spans-'));
  exporter = new FileSpanExporter(dir, 'uploads');
  provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'uploads' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  trace.disable();
  context.disable();
  propagation.disable();
  await rm(dir, { recursive: true, force: true });
});

/** A chunk request that queues the assembly (its context goes in a message), then the assembly. */
async function chunkThenAssembly() {
  const carrier: Record<string, string> = {};
  await inSpan('PUT /uploads/:uploadId/chunks/:index', {}, async () => {
    await inSpan('chunk.record', { attributes: { [UPLOAD_ID_ATTRIBUTE]: UPLOAD } }, async () => {});
    propagation.inject(context.active(), carrier);
  });
  await inSpan('upload.assemble', { root: true, links: linksFrom(carrier) }, async () => {
    tagUpload(UPLOAD);
    await inSpan('upload.verify_sha256', {}, async () => {
      throw new Error('declared SHA-256 does not match');
    }).catch(() => undefined);
  });
  await provider.forceFlush();
}

describe('FileSpanExporter and reading its files back', () => {
  it('writes one OTLP/JSON export request per line, named by service and process', async () => {
    await chunkThenAssembly();
    expect(exporter.path).toBe(join(dir, `uploads-${process.pid}.jsonl`));
    const lines = (await readFile(exporter.path, 'utf8')).trim().split('\n');
    const first = JSON.parse(lines[0] ?? '{}');
    expect(first.resourceSpans[0].resource.attributes).toContainEqual({
      key: 'service.name',
      value: { stringValue: 'uploads' },
    });
    expect(first.resourceSpans[0].scopeSpans[0].spans[0].traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it("finds an upload's traces: the one naming it and the one its assembly links to, with parents, links and errors", async () => {
    const traces = uploadTraces(await readSpans(dir), UPLOAD);
    expect(traces.map((t) => t.map((s) => s.name).sort())).toEqual([
      ['PUT /uploads/:uploadId/chunks/:index', 'chunk.record'],
      ['upload.assemble', 'upload.verify_sha256'],
    ]);
    const [chunk = [], assembly = []] = traces;
    const record = chunk.find((s) => s.name === 'chunk.record');
    const put = chunk.find((s) => s.name !== 'chunk.record');
    expect(record?.parentSpanId).toBe(put?.spanId);
    const assemble = assembly.find((s) => s.name === 'upload.assemble');
    expect(assemble).toMatchObject({ parentSpanId: '', links: [{ traceId: put?.traceId, spanId: put?.spanId }] });
    expect(assembly.find((s) => s.name === 'upload.verify_sha256')?.statusCode).toBe(2);
    expect(uploadTraces(await readSpans(dir), 'another-upload')).toEqual([]);
  });

  it('renders a trace as a waterfall: children indented under parents, errors and links marked', async () => {
    const [, assembly = []] = uploadTraces(await readSpans(dir), UPLOAD);
    const lines = renderWaterfall(assembly).split('\n');
    expect(lines[0]).toMatch(/^trace [0-9a-f]{32} {2}\S+ {2}\d+\.\d ms$/);
    expect(lines[1]).toMatch(/^ {2}uploads +upload\.assemble +│█+ *│ +\d+\.\d ms$/);
    expect(lines[2]).toMatch(/↪ linked to trace [0-9a-f]{32}$/);
    expect(lines[3]).toMatch(/^ {2}uploads {5}! upload\.verify_sha256 /);
  });
});

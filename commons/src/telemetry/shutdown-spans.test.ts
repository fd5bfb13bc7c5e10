import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runService, type ServiceHost } from '../run-service.ts';
import { FileSpanExporter } from './file-span-exporter.ts';
import { inSpan } from './spans.ts';
import { spansOfLine } from './trace-files.ts';

let dir: string;
let exporter: FileSpanExporter;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lfusys-shutdown-spans-'));
  exporter = new FileSpanExporter(dir, 'sessions');
  // Batched as the services batch, with a delay no test waits out: only a flush exports.
  const processor = new BatchSpanProcessor({ exporter, scheduledDelayMillis: 600_000 });
  trace.setGlobalTracerProvider(
    new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'sessions' }),
      spanProcessors: [processor],
    }),
  );
});
afterAll(async () => {
  trace.disable();
  await rm(dir, { recursive: true, force: true });
});

/** The span names in the exporter's file right now ('' when it has written nothing). */
function exported(): string[] {
  let text = '';
  try {
    text = readFileSync(exporter.path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .flatMap((line) => spansOfLine(line).map((s) => s.name));
}

describe('runService and tracing at shutdown', () => {
  it('exports the spans ended during the drain before the process exits', async () => {
    const listeners = new Map<string, () => void>();
    let atExit: { code: number; spans: string[] } | undefined;
    const host: ServiceHost = {
      on: (signal, listener) => void listeners.set(signal, listener),
      exit: (code) => {
        atExit = { code, spans: exported() };
      },
      setTimeout: () => ({ unref: () => {} }),
      reportStartFailure: () => {},
    };
    await inSpan('request before the signal', {}, async () => {});
    await runService(
      async () => ({
        logger: { info: () => {}, error: () => {} },
        graceMs: 5000,
        // The drain: an assembly finishing after the signal, as sessions' consumer lets it.
        close: () => inSpan('upload.assemble', {}, () => new Promise((resolve) => setTimeout(resolve, 20))),
      }),
      host,
    );
    listeners.get('SIGTERM')?.();
    expect(exported()).toEqual([]);
    await expect.poll(() => atExit, { timeout: 5000 }).toBeDefined();
    expect(atExit?.code).toBe(0);
    expect(atExit?.spans.sort()).toEqual(['request before the signal', 'upload.assemble']);
  });
});

import { Writable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loggerOptions } from './logger.ts';
import { inSpan } from './telemetry/spans.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const { transport: _pretty, ...options } = loggerOptions({ service: 'test', level: 'info', pretty: false });
  return { logger: pino(options, stream), lines };
}

describe('loggerOptions', () => {
  it('logs a request without the value of its token query parameter (mailed one-time links)', () => {
    const { logger, lines } = capture();
    const req = { method: 'GET', url: '/reset-password?lang=en&token=s3cr3t-VALUE_x&b=2', host: 'app', ip: '10.0.0.1' };
    logger.info({ req }, 'incoming request');
    const logged = JSON.parse(lines[0] ?? '{}') as { req: Record<string, unknown> };
    expect(logged.req).toMatchObject({
      method: 'GET',
      url: '/reset-password?lang=en&token=[redacted]&b=2',
      host: 'app',
      remoteAddress: '10.0.0.1',
    });
    expect(lines.join('')).not.toContain('s3cr3t');
  });

  it('keeps other URLs whole', () => {
    const { logger, lines } = capture();
    logger.info({ req: { method: 'GET', url: '/api/v1/files?limit=20&cursor=abc' } }, 'incoming request');
    expect(lines[0]).toContain('"url":"/api/v1/files?limit=20&cursor=abc"');
  });
});

describe('loggerOptions with tracing', () => {
  afterEach(() => {
    trace.disable();
    context.disable();
  });

  it("puts the active span's trace_id and span_id on every line logged inside it, and none outside", async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new TracerProvider());
    const { logger, lines } = capture();
    const ids = await inSpan('chunk.record', {}, async () => {
      await new Promise((r) => setTimeout(r, 1));
      logger.child({ uploadId: 'u-1' }).info('chunk recorded');
      return trace.getActiveSpan()?.spanContext();
    });
    logger.info('outside');
    const inside = JSON.parse(lines[0] ?? '{}');
    expect(inside).toMatchObject({
      msg: 'chunk recorded',
      uploadId: 'u-1',
      trace_id: ids?.traceId,
      span_id: ids?.spanId,
    });
    expect(inside.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.parse(lines[1] ?? '{}')).not.toHaveProperty('trace_id');
  });

  it('adds nothing with tracing off (no SDK started)', async () => {
    const { logger, lines } = capture();
    await inSpan('chunk.record', {}, async () => logger.info('inside a no-op span'));
    expect(JSON.parse(lines[0] ?? '{}')).not.toHaveProperty('trace_id');
  });
});

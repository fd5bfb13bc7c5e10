import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerOptions } from './logger.ts';

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

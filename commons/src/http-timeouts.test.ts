import { describe, expect, it } from 'vitest';
import { fastifyTimeoutOptions } from './http-timeouts.ts';

describe('fastifyTimeoutOptions', () => {
  it('enforces the three deadlines, checked every second, and keeps kept-alive sockets as long as idle ones', () => {
    expect(fastifyTimeoutOptions({ headersMs: 10_000, requestMs: 30_000, idleMs: 60_000 })).toEqual({
      requestTimeout: 30_000,
      connectionTimeout: 60_000,
      keepAliveTimeout: 60_000,
      http: { headersTimeout: 10_000, connectionsCheckingInterval: 1000 },
    });
  });

  it('turns the whole-request deadline off with 0 and keeps the headers deadline', () => {
    const options = fastifyTimeoutOptions({ headersMs: 10_000, requestMs: 0, idleMs: 30_000 });
    expect(options.requestTimeout).toBe(0);
    expect(options.http).toEqual({ headersTimeout: 10_000, connectionsCheckingInterval: 1000 });
  });

  it('refuses a headers deadline beyond the request deadline', () => {
    expect(() => fastifyTimeoutOptions({ headersMs: 20_000, requestMs: 10_000, idleMs: 30_000 })).toThrow(RangeError);
  });
});

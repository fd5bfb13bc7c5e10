import { describe, expect, it } from 'vitest';
import { runReadiness } from './health.ts';

describe('runReadiness', () => {
  it('is ready only when every check passes, and reports each one', async () => {
    const report = await runReadiness([
      { name: 'a', check: async () => {} },
      {
        name: 'b',
        check: async () => {
          throw new TypeError('connect ECONNREFUSED 10.0.0.1:443 with secret');
        },
      },
    ]);
    expect(report).toEqual({ ready: false, checks: { a: { ok: true }, b: { ok: false, error: 'TypeError' } } });
  });

  it('fails a check that hangs past the deadline', async () => {
    const report = await runReadiness([{ name: 'slow', check: () => new Promise(() => {}) }], 20);
    expect(report).toEqual({ ready: false, checks: { slow: { ok: false, error: 'timeout' } } });
  });
});

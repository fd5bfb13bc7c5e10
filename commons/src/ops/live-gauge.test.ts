import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerLiveGauge } from './live-gauge.ts';

describe('registerLiveGauge', () => {
  it('reports the value read at scrape time', async () => {
    const registry = new Registry();
    let inUse = 3;
    registerLiveGauge(registry, 'slots_in_use', 'slots in use', () => inUse);
    expect(await registry.metrics()).toContain('slots_in_use 3');
    inUse = 0;
    expect(await registry.metrics()).toContain('slots_in_use 0');
  });
});

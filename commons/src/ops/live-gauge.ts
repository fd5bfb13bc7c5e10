import { Gauge, type Registry } from 'prom-client';

/**
 * Registers a gauge whose value is read when Prometheus scrapes, for state a service already
 * keeps (slots in use, requests waiting) so nothing has to remember to update it.
 */
export function registerLiveGauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

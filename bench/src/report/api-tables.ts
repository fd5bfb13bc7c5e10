import { fmt, markdownTable } from '../format.ts';
import type { BenchResults } from '../results.ts';

/** API latency under autocannon and the gateway's event-loop delay. */
export function apiSections(results: BenchResults): string[] {
  const parts: string[] = [];
  const api = results.api;
  if (api) {
    parts.push(
      '### API latency and throughput (autocannon)',
      markdownTable(
        ['Request', 'Connections', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'non-2xx', 'errors', 'What it does'],
        api.loads.map((l) => [
          l.name,
          String(l.connections),
          fmt(l.reqPerSec),
          fmt(l.p50Ms, 0),
          fmt(l.p99Ms, 0),
          fmt(l.maxMs, 0),
          String(l.non2xx),
          String(l.errors),
          l.note ?? '',
        ]),
      ),
      '### Gateway event-loop delay',
      "From the gateway's prom-client metrics (`nodejs_eventloop_lag_*`, monitorEventLoopDelay at 10 ms resolution, " +
        'reset at each scrape: scraped right before and right after the window). The raw values are timer intervals, so ' +
        'an idle loop reads ~10 ms; **delay = raw − 10 ms**. The probe is GET /healthz every 10 ms from the benchmark ' +
        'process (which also runs autocannon): an upper bound.',
      markdownTable(
        [
          'Window',
          'delay max ms',
          'delay p99 ms',
          'raw min / mean / p99 / max ms',
          'probe p50 / p99 / max ms',
          'probes',
        ],
        [
          ['idle', api.eventLoopIdle],
          ['20 clients logging in', api.eventLoopLogin],
        ].map(([name, r]) => {
          const e = r as typeof api.eventLoopIdle;
          return [
            name as string,
            `**${fmt(e.delayMaxMs)}**`,
            fmt(e.delayP99Ms),
            [e.metricsMinMs, e.metricsMeanMs, e.metricsP99Ms, e.metricsMaxMs].map((v) => fmt(v)).join(' / '),
            [e.probeP50Ms, e.probeP99Ms, e.probeMaxMs].map((v) => fmt(v)).join(' / '),
            String(e.probeCount),
          ];
        }),
      ),
    );
  }
  return parts;
}

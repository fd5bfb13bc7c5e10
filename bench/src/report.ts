import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fmt, markdownTable } from './format.ts';
import { REPO_ROOT } from './options.ts';
import { type BenchResults, SYSTEM_LABELS, type SystemId } from './results.ts';
import { median } from './stats.ts';

/** Tables (markdown, also printed), the JSON dump and a hand-written SVG bar chart. */

export interface TargetStatus {
  target: string;
  measured: string;
  status: 'met' | 'missed' | 'not measured';
}

const CPU_GROUPS = ['bench', 'gateway', 'sessions', 'uploads', 'tus', 'moto'];

const sizeLabel = (mib: number) => (mib % 1024 === 0 ? `${mib / 1024} GiB` : `${mib} MiB`);

export function targets(results: BenchResults): TargetStatus[] {
  const out: TargetStatus[] = [];
  const ratios = results.throughput?.ratios ?? [];
  const largest = ratios.reduce<(typeof ratios)[number] | undefined>(
    (a, r) => (!a || r.sizeMiB > a.sizeMiB ? r : a),
    undefined,
  );
  const status = (ok: boolean | undefined): TargetStatus['status'] =>
    ok === undefined ? 'not measured' : ok ? 'met' : 'missed';
  const oneGiB = ratios.find((r) => r.sizeMiB === 1024);
  out.push({
    target: 'A/B ≥ 0.85 for a 1 GiB file',
    measured: oneGiB
      ? `${fmt(oneGiB.aOverB, 2)} at 1 GiB`
      : largest
        ? `no 1 GiB run (${fmt(largest.aOverB, 2)} at ${sizeLabel(largest.sizeMiB)})`
        : '–',
    status: status(oneGiB && Number.isFinite(oneGiB.aOverB) ? oneGiB.aOverB >= 0.85 : undefined),
  });
  const minC = ratios.length ? Math.min(...ratios.map((r) => r.aOverC)) : Number.NaN;
  const minCTuned = ratios.length ? Math.min(...ratios.map((r) => r.aOverCTuned)) : Number.NaN;
  out.push({
    target: 'A/C ≥ 2.0 (tus at its recommended settings)',
    measured: ratios.map((r) => `${fmt(r.aOverC, 2)} at ${sizeLabel(r.sizeMiB)}`).join(', ') || '–',
    status: status(Number.isFinite(minC) ? minC >= 2 : undefined),
  });
  out.push({
    target: 'A/C* ≥ 2.0 (tus tuned; stricter reading)',
    measured: ratios.map((r) => `${fmt(r.aOverCTuned, 2)} at ${sizeLabel(r.sizeMiB)}`).join(', ') || '–',
    status: status(Number.isFinite(minCTuned) ? minCTuned >= 2 : undefined),
  });
  const memory = results.memory?.runs ?? [];
  if (memory.length > 0) {
    const peak = Math.max(...memory.map((m) => m.peakMiB));
    const byWorkers = new Map<number, typeof memory>();
    for (const m of memory) byWorkers.set(m.workers, [...(byWorkers.get(m.workers) ?? []), m]);
    const growth = [...byWorkers.values()].map((rs) => {
      const sorted = [...rs].sort((a, b) => a.sizeMiB - b.sizeMiB);
      return (sorted.at(-1)?.peakMiB ?? 0) - (sorted[0]?.peakMiB ?? 0);
    });
    const maxGrowth = Math.max(...growth);
    // "Flat": the largest file's peak within 10% (or 20 MiB) of the smallest's.
    const flat = [...byWorkers.values()].every((rs) => {
      const sorted = [...rs].sort((a, b) => a.sizeMiB - b.sizeMiB);
      const lo = sorted[0]?.peakMiB ?? 0;
      const hi = sorted.at(-1)?.peakMiB ?? 0;
      return hi - lo <= Math.max(20, lo * 0.1);
    });
    out.push({
      target: 'worker peak RSS ≤ 200 MiB at 16 concurrent chunks',
      measured: `${fmt(peak)} MiB (largest worker peak, any run)`,
      status: status(peak <= 200),
    });
    const sizes = new Set(memory.map((m) => m.sizeMiB)).size;
    out.push({
      target: 'worker peak RSS flat in file size',
      measured:
        sizes > 1 ? `largest − smallest file: ${maxGrowth >= 0 ? '+' : ''}${fmt(maxGrowth)} MiB` : 'one file size only',
      status: status(sizes > 1 ? flat : undefined),
    });
  } else {
    out.push({ target: 'worker peak RSS ≤ 200 MiB, flat in file size', measured: '–', status: 'not measured' });
  }
  const loop = results.api?.eventLoopLogin;
  out.push({
    target: 'no gateway event-loop delay above 50 ms during login load',
    measured: loop
      ? `max ${fmt(loop.delayMaxMs)} ms, p99 ${fmt(loop.delayP99Ms)} ms (from /metrics, minus the 10 ms resolution); healthz probe max ${fmt(loop.probeMaxMs)} ms`
      : '–',
    status: status(loop ? loop.delayMaxMs <= 50 : undefined),
  });
  return out;
}

/** Medians of A's and B's phases per size, from the runs' details. */
export function phaseRows(results: BenchResults) {
  const runs = results.throughput?.runs ?? [];
  const sizes = [...new Set(runs.map((r) => r.sizeMiB))].sort((a, b) => a - b);
  const med = (size: number, system: SystemId, f: (d: Record<string, number | string>, ms: number) => number) =>
    median(runs.filter((r) => r.sizeMiB === size && r.system === system).map((r) => f(r.detail, r.ms)));
  return sizes.map((sizeMiB) => ({
    sizeMiB,
    aChunks: med(sizeMiB, 'A', (d) => Number(d.chunksMs)),
    aAfter: med(sizeMiB, 'A', (d, ms) => ms - Number(d.chunksMs)),
    bParts: med(sizeMiB, 'B', (d) => Number(d.partsMs)),
    bComplete: med(sizeMiB, 'B', (d) => Number(d.completeMs)),
  }));
}

export function renderTables(results: BenchResults): string {
  const parts: string[] = [];
  const m = results.machine;
  if (m) {
    parts.push(
      `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB RAM, ${m.platform}, Node ${m.node}; ` +
        `emulator ${m.emulatorVersion !== 'n/a' ? `moto ${m.emulatorVersion}` : m.emulator}; commit ${m.gitCommit || '?'}; ` +
        `load average at start ${m.loadAverageAtStart.join(' / ')}${results.loadAverageAtEnd ? `, at end ${results.loadAverageAtEnd.join(' / ')}` : ''}.`,
    );
  }
  const o = results.options;
  parts.push(
    `Settings: runs ${o.runs}, sizes ${o.sizesMiB.map(sizeLabel).join(', ')}, A = chunk ${o.chunkMiB} MiB × ${o.concurrency} ` +
      `parallel PUTs, ${o.workers} uploads worker processes; phases ${o.only.join(', ')}` +
      `${o.quick ? ' (BENCH_QUICK smoke run)' : ''}; wall time ${fmt(results.wallSeconds ?? Number.NaN, 0)} s.`,
  );

  const t = results.throughput;
  if (t) {
    parts.push(
      '### Upload throughput (first byte → complete and listed; MiB/s, higher is better)',
      markdownTable(
        ['File', 'System', 'Settings', 'Runs (MiB/s)', 'Median MiB/s', 'Median s'],
        t.summary.map((s) => [
          sizeLabel(s.sizeMiB),
          SYSTEM_LABELS[s.system],
          s.settings,
          s.runsMiBps.map((v) => fmt(v)).join(', ') || '–',
          `**${fmt(s.medianMiBps)}**`,
          fmt(s.medianSeconds, 2),
        ]),
      ),
      '### Where the CPU went (median CPU seconds per GiB uploaded, by process; 2 cores = 2 s of CPU per wall second)',
      markdownTable(
        ['File', 'System', ...CPU_GROUPS, 'total', 'cores busy'],
        t.summary.map((s) => [
          sizeLabel(s.sizeMiB),
          s.system,
          ...CPU_GROUPS.map((g) => (s.cpuPerGiB[g] ? fmt(s.cpuPerGiB[g]) : '–')),
          fmt(s.cpuPerGiB.total),
          fmt(s.coresBusy, 2),
        ]),
      ),
      '### Ratios of medians',
      markdownTable(
        ['File', 'A/B', 'A/C (tus defaults)', 'A/C* (tus tuned)'],
        t.ratios.map((r) => [sizeLabel(r.sizeMiB), fmt(r.aOverB, 2), fmt(r.aOverC, 2), fmt(r.aOverCTuned, 2)]),
      ),
      '### Transfer vs completion (medians): bytes moving, then the final CompleteMultipartUpload and bookkeeping',
      markdownTable(
        [
          'File',
          'A: open + chunks s',
          'A: last chunk → listed s',
          'B: create + parts s',
          'B: complete s',
          'transfer-phase MiB/s A / B',
          'transfer-phase A/B',
        ],
        phaseRows(results).map((r) => [
          sizeLabel(r.sizeMiB),
          fmt(r.aChunks / 1000, 2),
          fmt(r.aAfter / 1000, 2),
          fmt(r.bParts / 1000, 2),
          fmt(r.bComplete / 1000, 2),
          `${fmt(r.sizeMiB / (r.aChunks / 1000))} / ${fmt(r.sizeMiB / (r.bParts / 1000))}`,
          fmt(r.bParts / r.aChunks, 2),
        ]),
      ),
      '### A: per-chunk PUT latency (slice + SHA-256 + PUT + S3 UploadPart, at the default settings)',
      markdownTable(
        ['File', 'Chunks', 'p50 ms', 'p99 ms'],
        t.chunkLatency.map((c) => [sizeLabel(c.sizeMiB), String(c.chunks), fmt(c.p50Ms, 0), fmt(c.p99Ms, 0)]),
      ),
    );
    if (t.failures.length) parts.push(`Throughput failures:\n${t.failures.map((f) => `- ${f}`).join('\n')}`);
  }

  const a = results.assembly;
  if (a?.length) {
    parts.push(
      '### Assembly (last chunk 200 → complete), medians over the A runs',
      markdownTable(
        [
          'File',
          'Runs',
          '→ assembled (sessions log)',
          '→ status completed (100 ms polls)',
          'completed → listed',
          'moto CompleteMultipartUpload alone (B)',
        ],
        a.map((r) => [
          sizeLabel(r.sizeMiB),
          String(r.samples),
          `${fmt(r.loggedMedianMs, 0)} ms`,
          `${fmt(r.polledMedianMs, 0)} ms`,
          `${fmt(r.listMedianMs, 0)} ms`,
          `${fmt(r.s3CompleteMedianMs, 0)} ms`,
        ]),
      ),
    );
  }

  const sw = results.sweep;
  if (sw) {
    const chunks = [...new Set(sw.cells.map((c) => c.chunkMiB))].sort((x, y) => x - y);
    const concs = [...new Set(sw.cells.map((c) => c.concurrency))].sort((x, y) => x - y);
    parts.push(
      `### Sweep: A on a ${sizeLabel(sw.sizeMiB)} file, MiB/s by chunk size × concurrency (best in bold, default marked †)`,
      markdownTable(
        ['Chunk \\ parallel PUTs', ...concs.map(String)],
        chunks.map((chunk) => [
          `${chunk} MiB`,
          ...concs.map((conc) => {
            const cell = sw.cells.find((c) => c.chunkMiB === chunk && c.concurrency === conc);
            if (!cell) return '–';
            const text = fmt(cell.medianMiBps);
            const marked =
              cell === sw.defaultCell ||
              (sw.defaultCell &&
                cell.chunkMiB === sw.defaultCell.chunkMiB &&
                cell.concurrency === sw.defaultCell.concurrency)
                ? `${text} †`
                : text;
            return sw.best && cell.chunkMiB === sw.best.chunkMiB && cell.concurrency === sw.best.concurrency
              ? `**${marked}**`
              : marked;
          }),
        ]),
      ),
    );
    if (sw.best) {
      parts.push(
        `Best: ${sw.best.chunkMiB} MiB × ${sw.best.concurrency} = ${fmt(sw.best.medianMiBps)} MiB/s; ` +
          `default ${sw.defaultCell ? `${sw.defaultCell.chunkMiB} MiB × ${sw.defaultCell.concurrency} = ${fmt(sw.defaultCell.medianMiBps)} MiB/s` : 'not in the sweep'}.`,
      );
    }
    if (sw.failures.length) parts.push(`Sweep failures:\n${sw.failures.map((f) => `- ${f}`).join('\n')}`);
  }

  const mem = results.memory;
  if (mem) {
    parts.push(
      '### Uploads worker memory (RSS per worker process; start → peak while the chunks were served)',
      markdownTable(
        ['Workers', 'File', 'Concurrent chunks', 'Per worker: start → peak sampled / VmHWM (MiB)', 'Peak MiB'],
        mem.runs.map((r) => [
          String(r.workers),
          sizeLabel(r.sizeMiB),
          `${r.concurrency} × ${r.chunkMiB} MiB`,
          r.perWorker
            .map(
              (w) =>
                `${fmt(w.startMiB)} → ${fmt(w.peakSampledMiB)} / ${fmt(w.hwmMiB)}${w.hwmReset ? '' : ' (HWM not reset)'}`,
            )
            .join('; '),
          `**${fmt(r.peakMiB)}**`,
        ]),
      ),
    );
    if (mem.failures.length) parts.push(`Memory failures:\n${mem.failures.map((f) => `- ${f}`).join('\n')}`);
  }

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

  parts.push(
    '### Targets',
    markdownTable(
      ['Target', 'Measured', 'Status'],
      targets(results).map((x) => [x.target, x.measured, x.status]),
    ),
  );
  if (results.skipped.length) parts.push(`Skipped: ${results.skipped.join('; ')}`);
  if (results.errors.length) parts.push(`Errors:\n${results.errors.map((e) => `- ${e}`).join('\n')}`);
  return `${parts.join('\n\n')}\n`;
}

const COLORS: Record<SystemId, string> = { A: '#2b6cb0', B: '#718096', C: '#dd6b20', 'C*': '#f6ad55' };

const escapeXml = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** The chart's text alternative: every bar's value. */
function chartSummary(summary: NonNullable<BenchResults['throughput']>['summary']): string {
  const bars = summary.map((s) => `${s.system} ${sizeLabel(s.sizeMiB)} ${fmt(s.medianMiBps)}`).join(', ');
  return `Upload throughput, median MiB/s: ${bars}`;
}

/** A grouped bar chart of median MiB/s: one group per file size, one bar per system. */
export function renderSvg(results: BenchResults): string {
  const summary = results.throughput?.summary ?? [];
  const sizes = [...new Set(summary.map((s) => s.sizeMiB))].sort((a, b) => a - b);
  const systems = [...new Set(summary.map((s) => s.system))];
  const width = 760;
  const height = 440;
  const left = 64;
  const right = 20;
  const top = 56;
  const bottom = 96;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const max = Math.max(1, ...summary.map((s) => (Number.isFinite(s.medianMiBps) ? s.medianMiBps : 0)));
  const step = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000].find((s) => max / s <= 6) ?? 2000;
  const yMax = Math.ceil(max / step) * step;
  const r1 = (v: number) => Math.round(v * 10) / 10;
  const y = (v: number) => r1(top + plotH - (v / yMax) * plotH);
  const groupW = plotW / Math.max(1, sizes.length);
  const barW = Math.min(70, (groupW * 0.8) / Math.max(1, systems.length));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12" role="img" aria-labelledby="chart-title">`,
    `<title id="chart-title">${escapeXml(chartSummary(summary))}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">Upload throughput, median MiB/s (first byte → complete)</text>`,
    `<text x="${width / 2}" y="40" text-anchor="middle" fill="#4a5568">same machine, same S3 endpoint (moto), same run${results.machine ? `; ${results.machine.cpus} cores, Node ${results.machine.node}` : ''}</text>`,
  ];
  for (let v = 0; v <= yMax; v += step) {
    out.push(
      `<line x1="${left}" x2="${width - right}" y1="${y(v)}" y2="${y(v)}" stroke="#e2e8f0"/>`,
      `<text x="${left - 8}" y="${y(v) + 4}" text-anchor="end" fill="#4a5568">${v}</text>`,
    );
  }
  out.push(
    `<text x="16" y="${top + plotH / 2}" transform="rotate(-90 16 ${top + plotH / 2})" text-anchor="middle" fill="#4a5568">MiB/s</text>`,
  );
  sizes.forEach((size, gi) => {
    const gx = left + gi * groupW + (groupW - barW * systems.length) / 2;
    systems.forEach((system, si) => {
      const s = summary.find((x) => x.sizeMiB === size && x.system === system);
      const v = s && Number.isFinite(s.medianMiBps) ? s.medianMiBps : 0;
      const x = r1(gx + si * barW);
      out.push(
        `<rect x="${r1(x + 3)}" y="${y(v)}" width="${r1(barW - 6)}" height="${r1(top + plotH - y(v))}" fill="${COLORS[system]}"><title>${escapeXml(`${SYSTEM_LABELS[system]}, ${sizeLabel(size)}: ${fmt(v)} MiB/s`)}</title></rect>`,
        `<text x="${r1(x + barW / 2)}" y="${r1(y(v) - 5)}" text-anchor="middle">${fmt(v)}</text>`,
        `<text x="${r1(x + barW / 2)}" y="${top + plotH + 16}" text-anchor="middle" fill="#4a5568">${escapeXml(system)}</text>`,
      );
    });
    out.push(
      `<text x="${r1(left + gi * groupW + groupW / 2)}" y="${top + plotH + 36}" text-anchor="middle" font-weight="600">${sizeLabel(size)} file</text>`,
    );
  });
  out.push(`<line x1="${left}" x2="${width - right}" y1="${top + plotH}" y2="${top + plotH}" stroke="#2d3748"/>`);
  systems.forEach((system, i) => {
    const lx = r1(left + (i % 2) * (plotW / 2));
    const ly = height - 30 + Math.floor(i / 2) * 16;
    out.push(
      `<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${COLORS[system]}"/>`,
      `<text x="${lx + 18}" y="${ly}">${escapeXml(SYSTEM_LABELS[system])}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Formats the JSON the way the repository's linter wants it (`biome ci .` checks docs too); best effort. */
function formatWithBiome(path: string): Promise<void> {
  const biome = join(REPO_ROOT, 'node_modules', '.bin', 'biome');
  return new Promise((resolve) => {
    execFile(biome, ['format', '--write', path], { cwd: REPO_ROOT, timeout: 30_000 }, () => resolve());
  });
}

export async function writeOutputs(results: BenchResults, outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const tables = renderTables(results);
  const files = {
    'results.json': `${JSON.stringify(results, null, 2)}\n`,
    'results.md': `# Benchmark results\n\nGenerated by \`make bench\` (bench/src/main.ts) on ${results.startedAt}. See ../benchmarks.md for what limits each number.\n\n${tables}`,
    'throughput.svg': renderSvg(results),
  };
  const written: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(outDir, name), content);
    written.push(join(outDir, name));
  }
  await formatWithBiome(join(outDir, 'results.json'));
  return written;
}

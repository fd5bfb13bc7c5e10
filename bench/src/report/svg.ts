import { fmt, sizeLabel } from '../format.ts';
import { type BenchResults, SYSTEM_LABELS, type SystemId } from '../results.ts';

const COLORS: Record<SystemId, string> = {
  A: '#2b6cb0',
  'A′': '#2f855a',
  'A′+sha': '#68d391',
  B: '#718096',
  'B+sha': '#a0aec0',
  C: '#dd6b20',
  'C*': '#f6ad55',
};

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

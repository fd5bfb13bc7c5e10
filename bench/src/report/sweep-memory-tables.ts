import { fmt, markdownTable, sizeLabel } from '../format.ts';
import type { BenchResults } from '../results.ts';

/** The chunk size × concurrency sweep and the uploads workers' memory. */
export function sweepAndMemorySections(results: BenchResults): string[] {
  const parts: string[] = [];
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
  return parts;
}

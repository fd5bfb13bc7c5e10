export const MiB = 1024 * 1024;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Milliseconds since an arbitrary origin, monotonic. */
export const now = () => performance.now();

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export const mibPerSecond = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);

/** A number for a table: fixed decimals, or a dash when missing. */
export function fmt(value: number | undefined | null, digits = 1): string {
  return value === undefined || value === null || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

export function log(message: string): void {
  const t = new Date().toISOString().slice(11, 19);
  process.stdout.write(`[bench ${t}] ${message}\n`);
}

/** Rejects with `what` timed out when `promise` takes longer than `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${Math.round(ms / 1000)} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A generous bound for moving `bytes` through loopback and the emulator: 2 MiB/s worst case, 60 s minimum. */
export const transferBoundMs = (bytes: number) => Math.max(60_000, (bytes / (2 * MiB)) * 1000);

/** A markdown table. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Undo steps, run newest first; each one bounded and isolated so one failure does not skip the rest. */
export class Cleanup {
  private readonly steps: Array<{ what: string; fn: () => Promise<unknown> }> = [];

  add(what: string, fn: () => Promise<unknown>): () => Promise<void> {
    const step = { what, fn };
    this.steps.push(step);
    // Running a step early removes it from the list.
    return async () => {
      const at = this.steps.indexOf(step);
      if (at >= 0) this.steps.splice(at, 1);
      await fn();
    };
  }

  async run(): Promise<void> {
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      await withTimeout(step.fn(), 30_000, `cleanup: ${step.what}`).catch((err: unknown) =>
        log(`cleanup "${step?.what}" failed: ${(err as Error).message}`),
      );
    }
  }
}

import { readdir, readFile, writeFile } from 'node:fs/promises';
import { MiB } from './stats.ts';

/** Process memory from /proc (Linux only). */

/** Direct children of `pid` (the uploads primary's cluster workers), from /proc/<pid>/task/<tid>/children. */
export async function childPids(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`);
  const out = new Set<number>();
  for (const tid of tasks) {
    const text = await readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => '');
    for (const child of text.split(/\s+/).filter(Boolean)) out.add(Number(child));
  }
  return [...out].sort((a, b) => a - b);
}

/** VmRSS and VmHWM (peak RSS) in MiB. */
export async function memoryOf(pid: number): Promise<{ rssMiB: number; hwmMiB: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMiB: (kib('VmRSS') * 1024) / MiB, hwmMiB: (kib('VmHWM') * 1024) / MiB };
}

/** Resets a process's VmHWM to its current RSS (`echo 5 > /proc/<pid>/clear_refs`); false when not allowed. */
export async function resetPeak(pid: number): Promise<boolean> {
  return writeFile(`/proc/${pid}/clear_refs`, '5').then(
    () => true,
    () => false,
  );
}

export interface RssSample {
  pid: number;
  /** RSS when sampling started. */
  startMiB: number;
  /** Largest VmRSS seen in the 50 ms samples. */
  peakSampledMiB: number;
  /** VmHWM at the end (the kernel's exact peak; since the reset when `hwmReset`, else since start). */
  hwmMiB: number;
  hwmReset: boolean;
  samples: number;
}

/** Samples VmRSS of `pids` every `intervalMs` until `stop()` is called. */
export async function sampleRss(pids: readonly number[], intervalMs = 50): Promise<{ stop(): Promise<RssSample[]> }> {
  const state = new Map<number, RssSample>();
  for (const pid of pids) {
    const reset = await resetPeak(pid);
    const { rssMiB } = await memoryOf(pid);
    state.set(pid, { pid, startMiB: rssMiB, peakSampledMiB: rssMiB, hwmMiB: rssMiB, hwmReset: reset, samples: 1 });
  }
  let running = true;
  const loop = (async () => {
    while (running) {
      const tick = Date.now();
      for (const [pid, sample] of state) {
        const { rssMiB } = await memoryOf(pid).catch(() => ({ rssMiB: Number.NaN }));
        if (rssMiB > sample.peakSampledMiB) sample.peakSampledMiB = rssMiB;
        sample.samples++;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - (Date.now() - tick))));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      for (const [pid, sample] of state) {
        const { hwmMiB } = await memoryOf(pid).catch(() => ({ hwmMiB: Number.NaN }));
        sample.hwmMiB = hwmMiB;
      }
      return [...state.values()];
    },
  };
}

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far; NaN when it is gone. */
export async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return (utime + stime) / CLOCK_TICKS_PER_SECOND;
}

/** The pid of the process whose command line contains every one of `parts` (e.g. moto_server and its port). */
export async function findPid(parts: readonly string[]): Promise<number | undefined> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ');
    if (parts.every((p) => cmdline.includes(p))) return Number(entry);
  }
  return undefined;
}

/** CPU seconds used by named groups of processes between `start()` and `stop()`. */
export class CpuMeter {
  private before = new Map<string, number>();

  /** `groups`: name → pids, resolved at each reading (workers can be restarted). */
  constructor(private readonly groups: () => Promise<Record<string, number[]>>) {}

  private async read(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const [name, pids] of Object.entries(await this.groups())) {
      let total = 0;
      for (const pid of pids) {
        const seconds = pid === process.pid ? cpuOfSelf() : await cpuSecondsOf(pid);
        if (Number.isFinite(seconds)) total += seconds;
      }
      out.set(name, total);
    }
    return out;
  }

  async start(): Promise<void> {
    this.before = await this.read();
  }

  async stop(): Promise<Record<string, number>> {
    const after = await this.read();
    const out: Record<string, number> = {};
    for (const [name, seconds] of after) out[name] = Math.round((seconds - (this.before.get(name) ?? 0)) * 100) / 100;
    return out;
  }
}

function cpuOfSelf(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

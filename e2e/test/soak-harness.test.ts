import { describe, expect, it } from 'vitest';
import type { AuditedUser } from '../soak/end-state.ts';
import { windowStats } from '../soak/honest.ts';
import { Tally } from '../soak/hostile.ts';
import { counterbalanced, windowsOf } from '../soak/schedule.ts';
import { type PoolEntry, UserPool } from '../soak/user-pool.ts';

describe('windowStats', () => {
  it('counts only acknowledged chunks answered inside the window', () => {
    const samples = [
      { at: 999, ms: 5, bytes: 100, ok: true },
      { at: 1000, ms: 10, bytes: 1000, ok: true },
      { at: 1500, ms: 30, bytes: 1000, ok: false },
      { at: 1999, ms: 20, bytes: 1000, ok: true },
      { at: 2000, ms: 40, bytes: 1000, ok: true },
    ];
    expect(windowStats(samples, [[1000, 2000]])).toEqual({ bytesPerSecond: 2000, chunks: 2, p99Ms: 20 });
  });

  it('takes the nearest-rank 99th percentile of latency', () => {
    const samples = Array.from({ length: 200 }, (_, i) => ({ at: 10, ms: i + 1, bytes: 1, ok: true }));
    expect(windowStats(samples, [[0, 1000]]).p99Ms).toBe(198);
  });

  it('sums several windows: bytes over their total length, one percentile over all', () => {
    const samples = [
      { at: 500, ms: 10, bytes: 1000, ok: true },
      { at: 1500, ms: 99, bytes: 5000, ok: true },
      { at: 2500, ms: 30, bytes: 1000, ok: true },
    ];
    expect(
      windowStats(samples, [
        [0, 1000],
        [2000, 3000],
      ]),
    ).toEqual({ bytesPerSecond: 1000, chunks: 2, p99Ms: 30 });
  });

  it('reports zeros for an empty window', () => {
    expect(windowStats([], [[0, 1000]])).toEqual({ bytesPerSecond: 0, chunks: 0, p99Ms: 0 });
  });
});

describe('counterbalanced', () => {
  it('alternates baseline and noisy windows in ABBA order, back to back', () => {
    const windows = counterbalanced(1000, 30_000, 10_000);
    expect(windows.map((w) => w.kind)).toEqual(['baseline', 'noisy', 'noisy', 'baseline', 'baseline', 'noisy']);
    expect(windows.map((w) => [w.from, w.to])).toEqual([
      [1000, 11_000],
      [11_000, 21_000],
      [21_000, 31_000],
      [31_000, 41_000],
      [41_000, 51_000],
      [51_000, 61_000],
    ]);
  });

  it('gives both kinds the same mean time with an even number of windows each, so linear drift cancels', () => {
    const windows = counterbalanced(0, 40_000, 10_000);
    const mean = (kind: 'baseline' | 'noisy') => {
      const mine = windowsOf(windows, kind);
      return mine.reduce((sum, [from, to]) => sum + (from + to) / 2, 0) / mine.length;
    };
    expect(mean('baseline')).toBe(mean('noisy'));
  });

  it('fits a phase shorter than a window into one window of each kind', () => {
    expect(counterbalanced(0, 4000, 10_000).map((w) => [w.kind, w.to - w.from])).toEqual([
      ['baseline', 4000],
      ['noisy', 4000],
    ]);
  });
});

describe('Tally', () => {
  it('sums answers by attack prefix and status', () => {
    const tally = new Tally();
    tally.add('after logout: GET /files', 200);
    tally.add('after logout: chunk PUT', 401);
    tally.add('after logout: chunk PUT', 400);
    tally.add('mass opens', 503);
    expect(tally.sum('after logout: ', (s) => s !== '401')).toBe(2);
    expect(tally.sum('', (s) => s.startsWith('5'))).toBe(1);
    expect(tally.lines()).toContain('after logout: chunk PUT: 1 × 401, 1 × 400');
  });
});

describe('UserPool', () => {
  const make = (perUser: number) => {
    let created = 0;
    const retired: string[] = [];
    const pool = new UserPool({
      size: 2,
      perUser,
      signUp: async (): Promise<AuditedUser> => {
        created += 1;
        return { client: {} as AuditedUser['client'], userId: `u${created}`, password: 'p' };
      },
      retire: async (entry: PoolEntry) => {
        retired.push((await entry.user).userId);
      },
    });
    return { pool, retired, created: () => created };
  };

  it('replaces a slot user after perUser uploads and retires it once its last upload ends', async () => {
    const { pool, retired, created } = make(2);
    const first = [pool.acquire(0), pool.acquire(2)];
    expect(first[0]).toBe(first[1]);
    const third = pool.acquire(4);
    expect(third).not.toBe(first[0]);
    expect(created()).toBe(2);
    pool.release(first[0] as PoolEntry);
    await Promise.resolve();
    expect(retired).toEqual([]);
    pool.release(first[1] as PoolEntry);
    await new Promise((r) => setImmediate(r));
    expect(retired).toEqual(['u1']);
    pool.release(third);
    await pool.drain();
    expect(retired).toEqual(['u1', 'u2']);
    expect(pool.retiredCount).toBe(2);
  });

  it('keeps every user for the whole run when perUser is 0', async () => {
    const { pool, retired } = make(0);
    const entries = Array.from({ length: 10 }, (_, n) => pool.acquire(n));
    for (const entry of entries) pool.release(entry);
    await pool.drain();
    expect(new Set(entries).size).toBe(2);
    expect(retired.sort()).toEqual(['u1', 'u2']);
  });
});

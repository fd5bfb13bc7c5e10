import type {} from '@lfusys/commons/vitest-global-setup';
import { expect, inject, it } from 'vitest';
import { ATTACKS } from '../soak/hostile-runner.ts';
import { counterbalanced } from '../soak/schedule.ts';
import { runTenants, tenantsLine } from '../soak/tenants.ts';

const MiB = 1024 * 1024;

/**
 * A short run of `make soak-tenants` inside `make test`: two honest users upload alone, then beside
 * every hostile tenant; nothing honest is lost, duplicated or orphaned, every hostile account deletes
 * cleanly, and oversized declared sizes are refused with a 4xx. Throughput is reported, not asserted
 * (a timing assertion would only measure the machine).
 */
it('noisy-neighbour smoke: honest uploads beside hostile tenants end complete, nothing left over', async () => {
  const report = await runTenants({
    endpoint: inject('awsEndpoint'),
    honestUsers: 2,
    fileBytes: 2 * MiB,
    chunkBytes: MiB,
    lanes: 4,
    phaseMs: 8_000,
    windowMs: 4_000,
    workers: 2,
    slowBodies: 10,
    slowBytesPerSecond: 1024,
    attackCount: 20,
    attacks: ATTACKS,
    hostileNice: 0,
    maxFileBytes: 1024 * MiB,
    quotaBytes: 4096 * MiB,
    gatewayEnv: {},
    seed: Math.floor(Math.random() * 2 ** 31),
    log: () => {},
  });
  console.log(`${tenantsLine(report)}\n${report.tally.lines().join('\n')}`);
  expect(report.problems).toEqual([]);
  expect({ lost: report.lost, duplicated: report.duplicated, orphaned: report.orphaned }).toEqual({
    lost: 0,
    duplicated: 0,
    orphaned: 0,
  });
  expect(report.honestUploads).toBeGreaterThan(0);
  // Every attack ran: the ended session's requests were sent, and the slow bodies were all held.
  expect(report.tally.sum('after logout: ', () => true)).toBeGreaterThan(0);
  expect(report.tally.sum('mass opens', () => true)).toBeGreaterThan(0);
  const oversized = report.tally.sum('oversized opens', () => true);
  expect(oversized).toBeGreaterThan(0);
  expect(report.tally.sum('oversized opens', (status) => /^4\d\d$/.test(status))).toBe(oversized);
  // Every slow body was held, in every noisy window (the attack runs again in each).
  const noisyWindows = counterbalanced(0, 8_000, 4_000).filter((w) => w.kind === 'noisy').length;
  expect(report.tally.sum('slow bodies: chunk', () => true)).toBe(10 * noisyWindows);
}, 120_000);

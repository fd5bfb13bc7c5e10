import type {} from '@lfusys/commons/vitest-global-setup';
import { expect, inject, it } from 'vitest';
import { runSoak, summaryLine } from '../soak/soak.ts';

/**
 * A short run of `make soak` inside `make test`: a dozen uploads under random faults, nothing lost;
 * users rotate every 3 uploads, so each is audited and deleted mid-run as in a long soak.
 */
it('soak smoke: 12 uploads under random faults and process kills end complete or cleanly cancelled, 4 users audited and deleted', async () => {
  const report = await runSoak({
    endpoint: inject('awsEndpoint'),
    uploads: 12,
    concurrency: 4,
    users: 2,
    uploadsPerUser: 3,
    maxFileBytes: 4 * 1024 * 1024,
    chunkBytes: 1024 * 1024,
    faultRate: 0.15,
    directShare: 0.5,
    killEveryMs: 3000,
    killSessions: true,
    timeLimitMs: 150_000,
    seed: Math.floor(Math.random() * 2 ** 31),
    log: () => {},
  });
  console.log(`${summaryLine(report)} (seed ${report.seed}, ${JSON.stringify(report.faultsByKind)})`);
  expect(report.problems).toEqual([]);
  expect(report.faults).toBeGreaterThan(0);
  expect(report.uploads).toBe(12);
  expect(report.users).toBe(4);
  expect(report.completed + report.cancelled + report.failed).toBe(12);
  expect({ lost: report.lost, duplicated: report.duplicated, orphaned: report.orphaned }).toEqual({
    lost: 0,
    duplicated: 0,
    orphaned: 0,
  });
}, 200_000);

import { describe, expect, it } from 'vitest';
import type { FileProgress } from '../upload-engine/index.ts';
import { failureText, precheck, statusText, summarize } from './upload-status.ts';

const GB = 1024 ** 3;
const MB = 1024 ** 2;

function file(fields: Partial<FileProgress>): FileProgress {
  return {
    id: 'file-1',
    name: 'a.bin',
    size: 100,
    status: 'uploading',
    bytesAcked: 0,
    bytesInFlight: 0,
    percent: 0,
    speedBytesPerSecond: 0,
    etaSeconds: null,
    resumedChunks: 0,
    ...fields,
  };
}

describe('statusText', () => {
  it('says Queued for a file waiting for its turn, not Uploading at 0 B/s', () => {
    expect(statusText(file({ waiting: 'queue' }))).toBe('Queued');
    expect(statusText(file({ status: 'queued' }))).toBe('Queued');
    expect(statusText(file({}))).toBe('Uploading');
  });

  it('says why the network holds a file up, never Failed', () => {
    expect(statusText(file({ waiting: 'offline' }))).toBe('Offline — will resume');
    expect(statusText(file({ waiting: 'network' }))).toBe('Waiting for network…');
  });
});

describe('failureText', () => {
  it('words each failure plainly and offers Retry where it can help', () => {
    const failed = (failure: FileProgress['failure']) =>
      failureText(
        file({
          status: 'failed',
          ...(failure ? { failure } : {}),
          error: 'chunk 18 failed after 8 attempts (HTTP 503)',
        }),
      );
    expect(failed('connection')).toEqual({ message: 'Connection lost', retry: true });
    expect(failed('server')).toMatchObject({ retry: true });
    expect(failed('server').message).not.toMatch(/chunk|HTTP|attempt/);
    expect(failed('too_large')).toMatchObject({ message: 'This file is too large', retry: false });
    expect(failed('refused').retry).toBe(false);
    expect(failed('session').message).toMatch(/sign in/);
    expect(failed(undefined)).toMatchObject({ retry: true });
  });
});

describe('precheck', () => {
  const limits = { usedBytes: 99 * GB, quotaBytes: 100 * GB, maxFileBytes: 50 * MB };

  it('refuses a file over the maximum size, in MB', () => {
    expect(precheck(50 * MB + 1, limits)).toBe('Too large: files may be at most 50 MB');
    expect(precheck(50 * MB, { ...limits, usedBytes: 0 })).toBeUndefined();
  });

  it('refuses a file that does not fit in the free space, naming the numbers', () => {
    const tight = { usedBytes: 99.99 * GB, quotaBytes: 100 * GB, maxFileBytes: 50 * GB };
    expect(precheck(20 * MB, tight)).toBe('Not enough space: 20 MB needed, 10 MB free of 100 GB');
  });

  it('counts the files already accepted in the same pick', () => {
    const room = { usedBytes: 0, quotaBytes: 30 * MB, maxFileBytes: 50 * MB };
    expect(precheck(20 * MB, room)).toBeUndefined();
    expect(precheck(20 * MB, room, 20 * MB)).toBe('Not enough space: 20 MB needed, 10 MB free of 30 MB');
  });

  it('lets anything through under no quota', () => {
    expect(precheck(GB, { usedBytes: 5 * GB, quotaBytes: 0, maxFileBytes: 2 * GB })).toBeUndefined();
  });
});

describe('summarize', () => {
  it('counts sending, paused, failed and completed files, and floors the percent', () => {
    const files = [
      file({ status: 'uploading' }),
      file({ status: 'queued' }),
      file({ status: 'paused' }),
      file({ status: 'failed' }),
      file({ status: 'completed' }),
    ];
    const snapshot = {
      files,
      totalBytes: 500,
      bytesAcked: 299,
      bytesInFlight: 0,
      pausedBytes: 100,
      percent: 59.8,
      speedBytesPerSecond: 0,
      etaSeconds: null,
    };
    expect(summarize(snapshot)).toEqual({ sending: 2, paused: 1, failed: 1, completed: 1, percent: 59 });
  });
});

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {} from '@lfusys/commons/vitest-global-setup';
import type { Stack } from '@lfusys/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from './chunks.ts';
import { startOneWorkerStack } from './fixtures.ts';

/** The README's "Trying it with curl": scripts/curl-upload.sh run as a user runs it, against real processes. */
const SCRIPT = fileURLToPath(new URL('../../scripts/curl-upload.sh', import.meta.url));
const MiB = 1024 * 1024;
let stack: Stack;
let workDir: string;
let file: string;
const bytes = randomBytes(3 * MiB + 1234);

beforeAll(async () => {
  // The product's default transfer (the e2e stack relays unless told), for the run that names none.
  stack = await startOneWorkerStack({ UPLOAD_TRANSFER_DEFAULT: 'direct' });
  workDir = await mkdtemp(join(tmpdir(), 'lfusys-curl-'));
  file = join(workDir, 'curl.bin');
  await writeFile(file, bytes);
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function curlUpload(transfer?: string): Promise<Run> {
  const { TRANSFER: _, ...inherited } = process.env;
  const env = { ...inherited, API: stack.gatewayApi, ...(transfer ? { TRANSFER: transfer } : {}) };
  return new Promise((resolve) => {
    execFile('bash', [SCRIPT, file], { env, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('scripts/curl-upload.sh', () => {
  it.each([
    { transfer: undefined, mode: 'direct', label: 'no TRANSFER (the server picks direct)' },
    { transfer: 'relay', mode: 'relay', label: 'TRANSFER=relay' },
  ])('uploads, verifies and downloads the same bytes with $label', async ({ transfer, mode }) => {
    const run = await curlUpload(transfer);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^upload [0-9a-f-]{36} \\(${mode}\\): 4 chunk\\(s\\) of ${MiB} bytes$`));
    expect(lines).toContain('status: completed');
    const stored = JSON.parse(lines.find((l) => l.startsWith('file: '))?.slice('file: '.length) ?? '{}');
    expect(stored).toMatchObject({ name: 'curl.bin', size: bytes.length, sha256: sha256Hex(bytes) });
    expect(lines.at(-1)).toBe('downloaded copy is identical');
  });

  it('stops with the API error when the server refuses the open', async () => {
    const run = await curlUpload('sideways');
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(JSON.parse(run.stderr.trim().split('\n').at(-1) ?? '{}')).toMatchObject({
      error: { code: 'invalid_argument', details: { field: 'transfer' } },
    });
  });
});

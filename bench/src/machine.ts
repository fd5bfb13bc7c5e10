import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { findMotoServer } from '@lfusys/commons/local-aws';
import { REPO_ROOT } from './options.ts';

/** What the numbers were measured on. */
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  loadAverageAtStart: number[];
  emulator: string;
  emulatorVersion: string;
  gitCommit: string;
  packages: Record<string, string>;
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 15_000 }, (err, stdout) => resolve(err ? '' : stdout.trim()));
  });
}

/** moto's version from the Python that runs moto_server (its shebang), without starting a server. */
async function motoVersion(): Promise<string> {
  for (const bin of await findMotoServer()) {
    const head = (await readFile(bin, 'utf8').catch(() => '')).split('\n')[0] ?? '';
    const python = head.startsWith('#!') ? head.slice(2).trim() : '';
    if (!/python[\d.]*$/.test(python)) continue;
    const version = await run(python, [
      '-c',
      'import sys, importlib.metadata as m; print(m.version("moto"), "on Python", sys.version.split()[0])',
    ]);
    if (version) return version;
  }
  return 'unknown';
}

const PACKAGES = [
  '@aws-sdk/client-s3',
  '@tus/server',
  '@tus/s3-store',
  'tus-js-client',
  'autocannon',
  'fastify',
  'undici',
  'argon2',
  'prom-client',
];

async function packageVersions(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of PACKAGES) {
    const raw = await readFile(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8').catch(() => '');
    out[name] = raw ? ((JSON.parse(raw) as { version?: string }).version ?? '?') : 'not installed';
  }
  return out;
}

export async function machineInfo(emulatorKind: string, endpoint: string): Promise<MachineInfo> {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: loadavg().map((v) => Math.round(v * 100) / 100),
    emulator: `${emulatorKind} at ${endpoint}`,
    emulatorVersion: emulatorKind === 'moto' ? await motoVersion() : 'n/a',
    gitCommit: await run('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD']),
    packages: await packageVersions(),
  };
}

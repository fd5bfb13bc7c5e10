import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/** Resolve hook that reports every module URL the process loads to the main thread. */
const HOOK = `let port;
export async function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  port.postMessage(result.url);
  return result;
}`;

/** Imports `entry` in a fresh Node process and prints the URL of every module that loaded. */
const PROGRAM = `import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
const loaded = new Set();
port1.on('message', (url) => loaded.add(url));
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOK)}), { data: { port: port2 }, transferList: [port2] });
await import(process.argv[1]);
await new Promise((resolve) => setTimeout(resolve, 100));
port1.close();
console.log(JSON.stringify([...loaded]));`;

async function modulesLoadedBy(entry: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', PROGRAM, entry],
    { cwd: fileURLToPath(new URL('..', import.meta.url)) },
  );
  return JSON.parse(stdout) as string[];
}

const heavy = (urls: string[]) => urls.filter((url) => /\/node_modules\/(@aws-sdk|@smithy|@grpc|fastify)\//.test(url));

describe('@lfusys/commons/core', () => {
  it('loads no AWS SDK, no gRPC and no Fastify, though the full barrel does', async () => {
    const [core, barrel] = await Promise.all([
      modulesLoadedBy('@lfusys/commons/core'),
      modulesLoadedBy('@lfusys/commons'),
    ]);
    expect(core.some((url) => url.endsWith('/commons/src/errors/app-error.ts'))).toBe(true);
    expect(heavy(core)).toEqual([]);
    // The detector works: the barrel's AWS and gRPC helpers pull both in.
    expect(heavy(barrel).some((url) => url.includes('/@aws-sdk/'))).toBe(true);
    expect(heavy(barrel).some((url) => url.includes('/@grpc/'))).toBe(true);
  }, 30_000);
});

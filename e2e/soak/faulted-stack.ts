import { execFileSync } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import { type Stack, startFaultProxy, startStack } from '@lfusys/testkit';
import type { Draw, RandomFaults } from './random.ts';

/** The stack behind two fault proxies (services → emulator, clients → workers) and a process killer. */
export interface FaultedStack {
  stack: Stack;
  /** Where clients send chunks: the proxy in front of the workers. */
  chunkBase: string;
  /** Starts SIGKILLing a worker or sessions every `everyMs`. */
  startKills(everyMs: number, killSessions: boolean): void;
  /** Stops the kills and waits for a restart in progress. */
  stopKills(): Promise<void>;
  /** Start-up steps that failed and were retried (read from the services' warn logs). */
  startupRetries(): number;
  /** True once sessions could not be restarted: the run cannot go on, and says so. */
  readonly broken: boolean;
  close(): Promise<void>;
}

export interface FaultedStackOptions {
  endpoint: string;
  chunkBytes: number;
  faults: RandomFaults;
  draw: Draw;
  problems: string[];
  log: (line: string) => void;
}

const target = (req: IncomingMessage) => String(req.headers['x-amz-target'] ?? '');
const isUploadPart = (req: IncomingMessage) => req.method === 'PUT' && (req.url ?? '').includes('partNumber=');
const isComplete = (req: IncomingMessage) => req.method === 'POST' && /[?&]uploadId=/.test(req.url ?? '');
const isChunkPut = (req: IncomingMessage) => req.method === 'PUT' && (req.url ?? '').includes('/chunks/');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A worker must have lived this long before it counts as serving (a loaded machine boots one in seconds). */
const SETTLED_WORKER_SECONDS = 10;

/**
 * One settled uploads worker to SIGKILL, chosen only while another settled one stays up: killing
 * every worker at once, or faster than a loaded machine boots them, measures the boot time of
 * node, not the pipeline. The primary forks a replacement, as in production.
 */
function workerToKill(primary: number, draw: Draw): number | undefined {
  let listing = '';
  try {
    listing = execFileSync('ps', ['-o', 'pid=,etimes=', '--ppid', String(primary)], { encoding: 'utf8' });
  } catch {
    return undefined; // No child at this instant.
  }
  const settled = listing
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([pid, age]) => pid && (age ?? 0) >= SETTLED_WORKER_SECONDS)
    .map(([pid]) => pid as number);
  return settled.length >= 2 ? draw.pick(settled) : undefined;
}

const retriesIn = (output: string) => output.split('start-up step failed; retrying').length - 1;

/** Restart attempts before the run is declared broken; each one already retries its own start-up calls. */
const RESTART_ATTEMPTS = 3;

export async function startFaultedStack(options: FaultedStackOptions): Promise<FaultedStack> {
  const { faults, draw } = options;
  const awsProxy = await startFaultProxy(options.endpoint);
  const quiet = { LOG_LEVEL: 'warn' };
  const stack = await startStack({
    endpoint: options.endpoint,
    gateway: true,
    uploads: true,
    uploadsWorkers: 2,
    readyTimeoutMs: 90_000,
    env: {
      gateway: { ...quiet, ACCESS_TOKEN_TTL_SECONDS: '3600' },
      sessions: {
        ...quiet,
        CHUNK_SIZE_BYTES: String(options.chunkBytes),
        CHUNK_ALIGN_BYTES: String(Math.min(options.chunkBytes, 1024 * 1024)),
        AWS_ENDPOINT_URL: awsProxy.url,
        ASSEMBLY_VISIBILITY_TIMEOUT_SECONDS: '10',
        SWEEP_INTERVAL_MS: '2000',
      },
      uploads: { ...quiet, AWS_ENDPOINT_URL: awsProxy.url, AWS_SOCKET_TIMEOUT_MS: '3000' },
    },
  });
  const clientProxy = await startFaultProxy(stack.uploadsBase);
  faults.attach(awsProxy, (req) => {
    if (isUploadPart(req))
      return [
        ['s3 UploadPart 503', 'fail'],
        ['s3 UploadPart reset', 'reset'],
        ['s3 UploadPart stall', 'hold'],
        ['s3 UploadPart +1.5 s', { delayMs: 1500 }],
      ];
    if (isComplete(req)) return [['s3 CompleteMultipartUpload 503', 'fail']];
    if (target(req) === 'AmazonSQS.SendMessage') return [['sqs SendMessage 503', 'fail']];
    // The first call a (re)starting process makes: resets here are what used to end the run.
    if (target(req) === 'AmazonSQS.GetQueueUrl')
      return [
        ['sqs GetQueueUrl 503', 'fail'],
        ['sqs GetQueueUrl reset', 'reset'],
      ];
    if (target(req).startsWith('DynamoDB_'))
      return [
        ['dynamodb 503', 'fail'],
        ['dynamodb reset', 'reset'],
      ];
    return [];
  });
  faults.attach(clientProxy, (req) =>
    isChunkPut(req)
      ? [
          ['client connection reset', 'reset'],
          ['client cut mid-body', { cutAfterBytes: draw.between(1, 512 * 1024) }],
          ['client stall', 'hold'],
          ['client +1 s', { delayMs: 1000 }],
        ]
      : [],
  );

  let broken = false;
  let killSessionsEnabled = true;
  let sessionsDown: Promise<void> | undefined;
  let sessionsUpSince = Date.now();
  let lastRestartMs = 0;
  let sessionsRetries = 0;
  let kills = 0;
  let timer: NodeJS.Timeout | undefined;

  /** Restarts sessions, a few times if need be; never throws: a failure is recorded and ends the run. */
  const restartSessions = async () => {
    const started = Date.now();
    for (let attempt = 1; attempt <= RESTART_ATTEMPTS; attempt++) {
      try {
        await stack.restartSessions();
        sessionsUpSince = Date.now();
        lastRestartMs = sessionsUpSince - started;
        return;
      } catch (err) {
        const reason = (err as Error).message.split('\n')[0];
        options.log(`sessions restart ${attempt}/${RESTART_ATTEMPTS} failed: ${reason}`);
        if (attempt === RESTART_ATTEMPTS) {
          options.problems.push(`sessions could not be restarted: ${(err as Error).message.slice(0, 2000)}`);
          broken = true;
        }
        faults.count('sessions restart failed');
        await sleep(1000);
      }
    }
  };

  const killOne = () => {
    kills += 1;
    if (broken) return;
    // Sessions serves at least as long as its last restart took (5 s at least) before it is killed
    // again: on a loaded machine a restart takes seconds, and back-to-back kills would leave it
    // down for good, which tests node's boot time rather than the pipeline.
    const settled = Date.now() - sessionsUpSince >= Math.max(5_000, lastRestartMs);
    if (kills % 3 === 0 && killSessionsEnabled && !sessionsDown && settled) {
      faults.count('sessions SIGKILL + restart');
      sessionsDown = (async () => {
        sessionsRetries += retriesIn(stack.processes.sessions.output());
        await stack.processes.sessions.stop('SIGKILL');
        await sleep(draw.between(200, 1500));
        await restartSessions();
      })().finally(() => {
        sessionsDown = undefined;
      });
      return;
    }
    const primary = stack.processes.uploads?.pid;
    const victim = primary ? workerToKill(primary, draw) : undefined;
    if (!victim) return;
    try {
      process.kill(victim, 'SIGKILL');
      faults.count('uploads worker SIGKILL');
    } catch {
      // It died meanwhile.
    }
  };

  return {
    stack,
    chunkBase: clientProxy.url,
    startKills(everyMs, killSessions) {
      killSessionsEnabled = killSessions;
      timer = setInterval(killOne, everyMs);
    },
    async stopKills() {
      clearInterval(timer);
      await sessionsDown;
    },
    startupRetries: () =>
      sessionsRetries +
      retriesIn(stack.processes.sessions.output()) +
      retriesIn(stack.processes.uploads?.output() ?? '') +
      retriesIn(stack.processes.gateway?.output() ?? ''),
    get broken() {
      return broken;
    },
    async close() {
      await stack.stop();
      await Promise.all([awsProxy.close(), clientProxy.close()]);
    },
  };
}

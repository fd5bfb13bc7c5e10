import { type ChildProcess, fork } from 'node:child_process';
import { setPriority } from 'node:os';
import { TestClient } from '@lfusys/testkit';
import type { AuditedUser } from './end-state.ts';
import { Tally } from './hostile.ts';

export const ATTACKS = ['slow-bodies', 'mass-opens', 'login-spray', 'revoked-tokens', 'oversized'] as const;
export type AttackName = (typeof ATTACKS)[number];

/** What the hostile process needs to set its attacks up. */
export interface HostileSetup {
  api: string;
  uploadsBase: string;
  attacks: readonly AttackName[];
  slowBodies: number;
  slowBytesPerSecond: number;
  attackCount: number;
  maxFileBytes: number;
  quotaBytes: number;
}

export type ToHostile = { type: 'prepare'; setup: HostileSetup } | { type: 'run'; until: number } | { type: 'finish' };
export type FromHostile =
  | { type: 'ready' }
  | { type: 'ran' }
  | {
      type: 'finished';
      problems: string[];
      tally: Array<[string, Array<[string, number]>]>;
      users: Array<{ userId: string; password: string; cookies: Array<[string, string]> }>;
    };

/**
 * Drives the hostile tenants in their own process (hostile-process.ts), at CPU priority `nice`
 * (0–19): the attackers' client work is theirs, not the servers', so on one shared machine it
 * should not come off the honest clients' share. The services that answer the attacks keep their
 * normal priority, so what refusing the attacks costs is still measured.
 */
export class HostileRunner {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(nice: number) {
    this.child = fork(new URL('./hostile-process.ts', import.meta.url), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    if (nice > 0 && this.child.pid !== undefined) setPriority(this.child.pid, Math.min(19, nice));
  }

  prepare(setup: HostileSetup): Promise<void> {
    return this.ask({ type: 'prepare', setup }, 'ready').then(() => {});
  }

  /** Runs every attack until `until` (ms since the epoch); resolves when they all stopped. */
  run(until: number): Promise<void> {
    return this.ask({ type: 'run', until }, 'ran').then(() => {});
  }

  /** Ends the process; returns its tally, its problems and its users (signed in, for the audit). */
  async finish(api: string): Promise<{ tally: Tally; problems: string[]; users: AuditedUser[] }> {
    const done = await this.ask({ type: 'finish' }, 'finished');
    await this.exited;
    if (done.type !== 'finished') throw new Error('the hostile process did not report');
    const tally = new Tally();
    for (const [kind, counts] of done.tally) for (const [status, n] of counts) tally.add(kind, status, n);
    const users = done.users.map(({ userId, password, cookies }) => {
      const client = new TestClient(api);
      for (const [name, value] of cookies) client.cookies.set(name, value);
      return { client, userId, password };
    });
    return { tally, problems: done.problems, users };
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }

  private ask(message: ToHostile, answer: FromHostile['type']): Promise<FromHostile> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: FromHostile) => {
        if (reply.type !== answer) return;
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        resolve(reply);
      };
      const onExit = (code: number | null) => {
        this.child.off('message', onMessage);
        reject(new Error(`the hostile process exited (${code}) before answering ${message.type}`));
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
      this.child.send(message);
    });
  }
}

import {
  type Attack,
  type HostileContext,
  loginSpray,
  massOpens,
  oversized,
  revokedTokens,
  slowBodies,
  Tally,
} from './hostile.ts';
import type { FromHostile, HostileSetup, ToHostile } from './hostile-runner.ts';

/**
 * The hostile tenants' own process (forked by HostileRunner): on a machine that also runs the
 * services and the honest clients, attack loops sharing the honest clients' event loop would slow
 * them by client-side work the attacker does on their own machine in real life. Here they get
 * their own process, which the runner may also give a lower CPU priority.
 */
const send = (message: FromHostile) => process.send?.(message);
const problems: string[] = [];
let ctx: HostileContext | undefined;
let attacks: Attack[] = [];

function prepare(setup: HostileSetup): Promise<Attack[]> {
  const context: HostileContext = {
    api: setup.api,
    uploadsBase: setup.uploadsBase,
    until: 0,
    tally: new Tally(),
    users: [],
  };
  ctx = context;
  const setUp: Record<HostileSetup['attacks'][number], () => Promise<Attack>> = {
    'slow-bodies': () => slowBodies(context, setup.slowBodies, setup.slowBytesPerSecond),
    'mass-opens': () => massOpens(context, setup.attackCount),
    'login-spray': () => loginSpray(context, setup.attackCount),
    'revoked-tokens': () => revokedTokens(context, setup.attackCount),
    oversized: () => oversized(context, setup.attackCount, setup),
  };
  return Promise.all(
    setup.attacks.map((name) =>
      setUp[name]().catch((err: Error): Attack => {
        problems.push(`setting up ${name}: ${err.message}`);
        return async () => {};
      }),
    ),
  );
}

async function handle(message: ToHostile): Promise<void> {
  if (message.type === 'prepare') {
    attacks = await prepare(message.setup);
    send({ type: 'ready' });
  } else if (message.type === 'run' && ctx) {
    ctx.until = message.until;
    await Promise.all(
      attacks.map((attack) => attack().catch((err: Error) => void problems.push(`attack: ${err.message}`))),
    );
    send({ type: 'ran' });
  } else if (message.type === 'finish') {
    send({
      type: 'finished',
      problems,
      tally: [...(ctx?.tally.byKind ?? [])].map(([kind, counts]) => [kind, [...counts]]),
      users: (ctx?.users ?? []).map((u) => ({
        userId: u.userId,
        password: u.password,
        cookies: [...u.client.cookies],
      })),
    });
    process.disconnect();
  }
}

process.on('message', (message: ToHostile) => {
  handle(message).catch((err: Error) => {
    problems.push(`hostile process: ${err.message}`);
    send({ type: 'ran' });
  });
});

import { request as httpRequest } from 'node:http';
import { signUp, TestClient } from '@lfusys/testkit';
import { type Plan, sha256, sleep } from './client.ts';
import type { AuditedUser } from './end-state.ts';

/** Answers the hostile tenants got, by attack and status (`reset` when the server cut the socket). */
export class Tally {
  readonly byKind = new Map<string, Map<string, number>>();

  add(kind: string, status: number | string, n = 1): void {
    const counts = this.byKind.get(kind) ?? new Map<string, number>();
    counts.set(String(status), (counts.get(String(status)) ?? 0) + n);
    this.byKind.set(kind, counts);
  }

  count(kind: string, status: string): number {
    return this.byKind.get(kind)?.get(status) ?? 0;
  }

  /** Answers to attacks whose name starts with `prefix` and whose status passes `test`. */
  sum(prefix: string, test: (status: string) => boolean): number {
    let total = 0;
    for (const [kind, counts] of this.byKind)
      if (kind.startsWith(prefix)) for (const [status, n] of counts) if (test(status)) total += n;
    return total;
  }

  lines(): string[] {
    return [...this.byKind].map(
      ([kind, counts]) => `${kind}: ${[...counts].map(([status, n]) => `${n} × ${status}`).join(', ')}`,
    );
  }
}

/** An attack, set up (accounts, uploads, logouts) and ready to run until the context's `until`. */
export type Attack = () => Promise<void>;

export interface HostileContext {
  api: string;
  uploadsBase: string;
  /** The hostile phase ends here (ms since the epoch); every loop stops by then. Set before the attacks run. */
  until: number;
  tally: Tally;
  /** Users the attacks made, for the end audit (each signed in). */
  users: AuditedUser[];
}

const open = () => Date.now();
const newUser = async (ctx: HostileContext) => {
  const { client, userId, creds } = await signUp(ctx.api);
  const user = { client, userId, password: creds.password };
  ctx.users.push(user);
  return { ...user, email: creds.email };
};

/**
 * Slow bodies: `count` chunk PUTs that declare a full chunk and trickle `bytesPerSecond` each,
 * held until the phase ends (issue 12 §3, §6: they pin worker sockets and S3 connections).
 */
export async function slowBodies(ctx: HostileContext, count: number, bytesPerSecond: number): Promise<Attack> {
  const { client } = await newUser(ctx);
  const res = await client.post('/uploads', { fileName: 'slow.bin', size: count * 1024 * 1024 });
  ctx.tally.add('slow bodies: open', res.status);
  if (res.status !== 201) return async () => {};
  const plan = res.body as Plan;
  const one = Buffer.alloc(Math.max(1, bytesPerSecond));
  const digest = sha256(Buffer.alloc(plan.chunkSize));
  return async () => {
    await Promise.all(
      Array.from({ length: Math.min(count, plan.totalChunks) }, async (_, index) => {
        await sleep(index * 10);
        const url = new URL(`${plan.uploadUrl}/chunks/${index}`);
        await new Promise<void>((resolve) => {
          let timer: NodeJS.Timeout | undefined;
          let ended = false;
          const finish = (status: number | string) => {
            if (ended) return;
            ended = true;
            clearInterval(timer);
            ctx.tally.add('slow bodies: chunk', status);
            req.destroy();
            resolve();
          };
          const req = httpRequest(
            {
              host: new URL(ctx.uploadsBase).hostname,
              port: new URL(ctx.uploadsBase).port,
              method: 'PUT',
              path: url.pathname,
              agent: false,
              headers: {
                authorization: `Bearer ${plan.uploadToken}`,
                'content-type': 'application/octet-stream',
                'content-length': String(plan.chunkSize),
                'x-chunk-sha256': digest,
              },
            },
            (answer) => {
              answer.resume();
              finish(answer.statusCode ?? 0);
            },
          );
          req.on('error', () => finish('reset'));
          timer = setInterval(() => {
            if (open() >= ctx.until) finish('held to the end');
            else req.write(one);
          }, 1000);
        });
      }),
    );
  };
}

/** Mass opens: one account opening one-byte uploads back to back (issue 12 §2). */
export async function massOpens(ctx: HostileContext, max: number): Promise<Attack> {
  const { client } = await newUser(ctx);
  let n = 0;
  const loop = async () => {
    while (n < max && open() < ctx.until) {
      n += 1;
      const res = await client.post('/uploads', { fileName: `mass-${n}.bin`, size: 1 }).catch(() => undefined);
      ctx.tally.add('mass opens', res?.status ?? 'reset');
    }
  };
  return async () => void (await Promise.all([loop(), loop()]));
}

/**
 * Login spraying from rotated `X-Forwarded-For` values (documentation addresses, header only: every
 * request goes to loopback): unknown emails, so no honest account is locked (issue 12 §4).
 */
export async function loginSpray(ctx: HostileContext, max: number): Promise<Attack> {
  const client = new TestClient(ctx.api);
  await client.get('/auth/csrf');
  return async () => {
    for (let n = 0; n < max && open() < ctx.until; n++) {
      const res = await client
        .request('POST', '/auth/login', {
          json: { email: `spray-${n}@example.com`, password: 'not-the-password-1' },
          headers: { 'x-forwarded-for': `203.0.113.${n % 250}` },
        })
        .catch(() => undefined);
      ctx.tally.add('login spray (rotated X-Forwarded-For)', res?.status ?? 'reset');
    }
  };
}

/**
 * Revoked tokens: log out, then keep using that session's access cookie and upload token (issue 12
 * §1). Any answer but 401 means the ended session's token still passed authentication.
 */
export async function revokedTokens(ctx: HostileContext, max: number): Promise<Attack> {
  const { client, email, userId, password } = await newUser(ctx);
  // A second session to clean up with at the end; logging out below ends only the first.
  const keeper = new TestClient(ctx.api);
  await keeper.post('/auth/login', { email, password });
  ctx.users.splice(
    ctx.users.findIndex((u) => u.userId === userId),
    1,
    { client: keeper, userId, password },
  );
  // Two chunks, and a body of the wrong length below: a worker that still accepts the token answers
  // 400 and writes nothing; one that refuses it answers 401.
  const res = await client.post('/uploads', { fileName: 'revoked.bin', size: 2 * 1024 * 1024 });
  if (res.status !== 201) {
    ctx.tally.add('revoked: open', res.status);
    return async () => {};
  }
  const plan = res.body as Plan;
  const kept = new Map(client.cookies);
  ctx.tally.add('revoked: logout', (await client.post('/auth/logout')).status);
  for (const [name, value] of kept) client.cookies.set(name, value);
  const body = Buffer.alloc(64 * 1024);
  return async () => {
    for (let n = 0; n < max && open() < ctx.until; n++) {
      const files = await client.get('/files').catch(() => undefined);
      ctx.tally.add('after logout: GET /files', files?.status ?? 'reset');
      const opened = await client.post('/uploads', { fileName: `r-${n}.bin`, size: 1 }).catch(() => undefined);
      ctx.tally.add('after logout: POST /uploads', opened?.status ?? 'reset');
      const chunk = await fetch(`${ctx.uploadsBase}${new URL(`${plan.uploadUrl}/chunks/0`).pathname}`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${plan.uploadToken}`,
          'content-type': 'application/octet-stream',
          'x-chunk-sha256': sha256(body),
        },
        body,
      }).catch(() => undefined);
      ctx.tally.add('after logout: chunk PUT', chunk?.status ?? 'reset');
      await chunk?.body?.cancel();
      await sleep(100);
    }
  };
}

/** Oversized declared sizes: above the max file size and above the quota (issue 12 "bad input"). */
export async function oversized(
  ctx: HostileContext,
  max: number,
  limits: { maxFileBytes: number; quotaBytes: number },
): Promise<Attack> {
  const { client } = await newUser(ctx);
  const sizes = [limits.maxFileBytes + 1, limits.quotaBytes + 1, Number.MAX_SAFE_INTEGER];
  return async () => {
    for (let n = 0; n < max && open() < ctx.until; n++) {
      const size = sizes[n % sizes.length];
      const res = await client.post('/uploads', { fileName: `big-${n}.bin`, size }).catch(() => undefined);
      ctx.tally.add('oversized opens', res?.status ?? 'reset');
      await sleep(20);
    }
  };
}

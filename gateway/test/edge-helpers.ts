import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { type Logger, pino } from 'pino';
import { createGatewayDeps } from '../src/compose.ts';
import type { GatewayConfig } from '../src/config.ts';
import { buildApp, type GatewayDeps } from '../src/http/app.ts';

/** A JSON log line as pino writes it. */
export type LogLine = Record<string, unknown> & { msg?: string };

/** A logger that keeps every line, so a test can assert what was logged. */
export function capturingLogger() {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

/**
 * Another gateway app on an existing config (same tables, same sessions process): what a second
 * ECS task is. Only `inject` is used, so nothing listens.
 */
export async function extraApp(
  config: GatewayConfig,
  options: { logger?: Logger; override?: Partial<GatewayDeps> } = {},
): Promise<FastifyInstance> {
  const deps = await createGatewayDeps(config, options.logger);
  return buildApp(config, { ...deps, ...options.override });
}

export interface InjectedAuth {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: { error?: { code: string; details?: Record<string, unknown> } } & Record<string, unknown>;
}

/**
 * POSTs JSON to an auth route as a browser would (CSRF cookie + header), from `remoteAddress` as the
 * socket peer and with `xff` as X-Forwarded-For when given.
 */
export async function postAuth(
  app: FastifyInstance,
  route: 'login' | 'register',
  json: Record<string, string>,
  from: { remoteAddress: string; xff?: string },
): Promise<InjectedAuth> {
  const forwarded = from.xff === undefined ? {} : { 'x-forwarded-for': from.xff };
  const csrf = await app.inject({
    method: 'GET',
    url: '/api/v1/auth/csrf',
    remoteAddress: from.remoteAddress,
    headers: forwarded,
  });
  const token = (csrf.json() as { csrfToken: string }).csrfToken;
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/auth/${route}`,
    remoteAddress: from.remoteAddress,
    headers: { ...forwarded, cookie: `lfusys-csrf=${token}`, 'x-csrf-token': token },
    payload: json,
  });
  return { status: res.statusCode, headers: res.headers, body: res.json() };
}

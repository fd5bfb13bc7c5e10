import { type Logger, type LoggerOptions, pino } from 'pino';
import { traceFields } from './telemetry/spans.ts';

export type { Logger } from 'pino';

export interface LoggerSettings {
  service: string;
  level: LoggerOptions['level'];
  /** Pretty, human-readable lines; defaults to true when stdout is a terminal. */
  pretty?: boolean;
}

/**
 * Options for a pino logger (also what Fastify's `logger` option takes): JSON lines, `err`
 * serialiser, ISO time, and the active span's `trace_id`/`span_id` on every line logged inside
 * one (none with tracing off), so a log line leads to its trace and back.
 */
export function loggerOptions(settings: LoggerSettings): LoggerOptions {
  const pretty = settings.pretty ?? process.stdout.isTTY === true;
  return {
    level: settings.level ?? 'info',
    // pid tells apart the workers of a clustered service sharing one log stream.
    base: { service: settings.service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: traceFields,
    serializers: { err: pino.stdSerializers.err, req: requestFields },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      censor: '[redacted]',
    },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  };
}

/** The request as Fastify logs it ("incoming request"), with the fields its default serializer takes. */
interface LoggedRequest {
  method?: string;
  url?: string;
  headers?: Record<string, string | string[] | undefined>;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/**
 * Fastify's default `req` serializer, except that the value of a `token` query parameter is
 * redacted: mailed links (`/verify-email?token=`, `/reset-password?token=`) carry one-time secrets
 * that must not land in logs.
 */
function requestFields(req: LoggedRequest) {
  return {
    method: req.method,
    url: req.url?.replace(/([?&]token=)[^&#]*/gi, '$1[redacted]'),
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

export function createLogger(settings: LoggerSettings): Logger {
  return pino(loggerOptions(settings));
}

import cors from '@fastify/cors';
import {
  AppError,
  fastifyTimeoutOptions,
  HTTP_STATUS,
  type HttpTimeouts,
  type Logger,
  REQUEST_ID_HEADER,
  type ReadinessCheck,
  requestIdFrom,
  runReadiness,
  SESSION_ID_CLAIM,
  type ServiceMetrics,
  type SessionLiveness,
  type TokenVerifier,
  UPLOAD_ID_CLAIM,
} from '@lfusys/commons';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { SlowBodyError } from '../domain/body-rate-guard.ts';
import type { ChunkReceiver } from '../domain/chunk-receiver.ts';

export interface UploadsAppDeps {
  receiver: ChunkReceiver;
  verifyToken: TokenVerifier;
  /** Refuses upload tokens of ended login sessions (logout, password change, account deletion). */
  liveness: SessionLiveness;
  logger: Logger;
  metrics: ServiceMetrics;
  readiness: readonly ReadinessCheck[];
  corsOrigins: readonly string[];
  maxChunkBytes: number;
  timeouts: HttpTimeouts;
  isShuttingDown: () => boolean;
}

async function authorise(
  request: FastifyRequest,
  deps: Pick<UploadsAppDeps, 'verifyToken' | 'liveness'>,
  uploadId: string,
): Promise<string> {
  const header = request.headers.authorization;
  if (!header?.startsWith('Bearer '))
    throw new AppError('unauthenticated', 'Authorization: Bearer <uploadToken> required');
  const claims = await deps.verifyToken(header.slice('Bearer '.length));
  const sessionId = claims[SESSION_ID_CLAIM];
  if (typeof claims.sub !== 'string' || typeof sessionId !== 'string')
    throw new AppError('unauthenticated', 'invalid token');
  // A token is bound to one upload: presenting it for another is the same as no upload at all.
  if (claims[UPLOAD_ID_CLAIM] !== uploadId) throw new AppError('not_found', 'upload not found');
  // The token dies with the login session that asked for it (DESIGN.md §9.3).
  const userId = claims.sub;
  await deps.liveness.assertLive(sessionId, userId).catch((err: unknown) => {
    if (AppError.isCode(err, 'unauthenticated'))
      request.log.info({ userId, sessionId }, 'token of an ended session refused');
    throw err;
  });
  return claims.sub;
}

/**
 * The one code → status table, with one exception: a body the client sent too slowly is its own
 * request timing out (408), not a deadline of ours upstream (the table's 504 for the same code).
 */
const statusOf = (err: AppError) => (err instanceof SlowBodyError ? err.httpStatus : HTTP_STATUS[err.code]);

/** An AbortSignal that fires when the client goes away before its answer was written. */
function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new AppError('aborted', 'the client closed the connection'));
  });
  return controller.signal;
}

/** The chunk receiver's HTTP surface: PUT a chunk, GET received indexes, ops endpoints. */
export async function buildUploadsApp(deps: UploadsAppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    genReqId: (req) => requestIdFrom(req.headers[REQUEST_ID_HEADER]),
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    bodyLimit: deps.maxChunkBytes,
    ...fastifyTimeoutOptions(deps.timeouts),
  });
  // Chunks are never buffered: the raw request stream goes straight to S3.
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.setErrorHandler((err, request, reply) => {
    const status = (err as { statusCode?: number }).statusCode;
    const appError =
      err instanceof AppError
        ? err
        : status === 413
          ? new AppError('payload_too_large', 'chunk too large')
          : status === 415
            ? new AppError('unsupported_media_type', 'chunks must be application/octet-stream')
            : status && status < 500
              ? new AppError('invalid_argument', (err as Error).message)
              : AppError.from(err);
    const code = statusOf(appError);
    deps.metrics.errors.inc({ code: appError.code });
    const limit = appError.details?.limit;
    // Logged once, here; a refusal names the limit that fired (the request's logger carries userId).
    if (limit !== undefined)
      request.log.warn({ code: appError.code, reason: appError.message, ...appError.details }, 'chunk request refused');
    else if (code >= 500) request.log.error({ err: appError.cause ?? appError }, 'chunk request failed');
    else request.log.info({ code: appError.code, reason: appError.message }, 'chunk request rejected');
    if (appError.retryAfterSeconds !== undefined) reply.header('retry-after', String(appError.retryAfterSeconds));
    // Stop reading a rejected body: the client learns at once instead of uploading the rest, and
    // a refused slow body gives its connection back.
    if (!request.raw.complete) reply.header('connection', 'close');
    return reply.status(code).send({
      error: {
        code: appError.code,
        message: code >= 500 && appError.code === 'internal' ? 'internal error' : appError.message,
        requestId: request.id,
        ...(appError.details && code < 500 ? { details: appError.details } : {}),
      },
    });
  });
  await app.register(cors, {
    origin: [...deps.corsOrigins],
    methods: ['GET', 'PUT'],
    allowedHeaders: ['authorization', 'content-type', 'x-chunk-sha256', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'retry-after'],
    maxAge: 3600,
  });

  app.put<{ Params: { uploadId: string; index: string } }>(
    '/uploads/:uploadId/chunks/:index',
    async (request, reply) => {
      const { uploadId, index } = request.params;
      const signal = clientGone(reply);
      const userId = await authorise(request, deps, uploadId);
      request.log = request.log.child({ userId });
      if (!request.headers['content-type']?.startsWith('application/octet-stream')) {
        throw new AppError('unsupported_media_type', 'chunks must be application/octet-stream');
      }
      const length = request.headers['content-length'];
      const sha = request.headers['x-chunk-sha256'];
      return deps.receiver.receive({
        uploadId,
        index,
        userId,
        declaredLength: length === undefined ? undefined : Number(length),
        sha256: typeof sha === 'string' ? sha : undefined,
        body: request.body as NodeJS.ReadableStream as import('node:stream').Readable,
        requestId: request.id,
        signal,
      });
    },
  );

  app.get<{ Params: { uploadId: string } }>('/uploads/:uploadId/chunks', async (request) => {
    const userId = await authorise(request, deps, request.params.uploadId);
    return deps.receiver.receivedIndexes(request.params.uploadId, userId, request.id);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (deps.isShuttingDown()) return reply.status(503).send({ ready: false, shuttingDown: true });
    const report = await runReadiness(deps.readiness);
    return reply.status(report.ready ? 200 : 503).send(report);
  });
  app.get('/metrics', async (_request, reply) => {
    reply.type(deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
  return app;
}

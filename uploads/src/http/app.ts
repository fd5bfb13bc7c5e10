import cors from '@fastify/cors';
import {
  AppError,
  type HttpTimeouts,
  type Logger,
  type ReadinessCheck,
  SESSION_ID_CLAIM,
  type ServiceMetrics,
  type SessionLiveness,
  type TokenVerifier,
  TRACE_CONTEXT_HEADERS,
  UPLOAD_ID_CLAIM,
} from '@lfusys/commons';
import { createHttpEdge } from '@lfusys/commons/http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SlowBodyError } from '../domain/body-rate-guard.ts';
import type { ChunkReceiver } from '../domain/chunk-receiver.ts';

export interface UploadsAppDeps {
  receiver: Pick<ChunkReceiver, 'receive' | 'receivedIndexes'>;
  verifyToken: TokenVerifier;
  /** Refuses upload tokens of ended login sessions (logout, password change, account deletion). */
  liveness: SessionLiveness;
  logger: Logger;
  metrics: ServiceMetrics;
  readiness: readonly ReadinessCheck[];
  corsOrigins: readonly string[];
  maxChunkBytes: number;
  timeouts: HttpTimeouts;
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
 * The one exception to the code → status table: a body the client sent too slowly is its own
 * request timing out (408), not a deadline of ours upstream (the table's 504 for the same code).
 */
const httpStatusOf = (err: AppError) => (err instanceof SlowBodyError ? err.httpStatus : undefined);

/** An AbortSignal that fires when the client goes away before its answer was written. */
function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new AppError('aborted', 'the client closed the connection'));
  });
  return controller.signal;
}

/** The chunk receiver's HTTP surface on the shared edge: PUT a chunk, GET received indexes. */
export async function buildUploadsApp(deps: UploadsAppDeps): Promise<FastifyInstance> {
  const app = createHttpEdge({
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: deps.readiness,
    bodyLimit: deps.maxChunkBytes,
    timeouts: deps.timeouts,
    httpStatusOf,
  });
  // Chunks are never buffered: the raw request stream goes straight to S3.
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));
  await app.register(cors, {
    origin: [...deps.corsOrigins],
    methods: ['GET', 'PUT'],
    allowedHeaders: ['authorization', 'content-type', 'x-chunk-sha256', 'x-request-id', ...TRACE_CONTEXT_HEADERS],
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

  return app;
}

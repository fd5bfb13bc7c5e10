import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '@lfusys/commons';
import type { SessionsClient } from '@lfusys/proto/sessions-client';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UploadTokens } from '../../../auth/upload-tokens.ts';
import type { AccountService } from '../../../domain/account-service.ts';
import { claimsOf } from '../../plugins/authenticate.ts';
import {
  CreateUploadBody,
  CreateUploadResponse,
  errorResponses,
  IdParams,
  NoContent,
  resourceErrorResponses,
  UploadDetailQuery,
  UploadDetailResponse,
  UploadListQuery,
  UploadListResponse,
  UploadPatchBody,
  UploadResponse,
} from '../../schemas.ts';
import { publicUpload } from '../../wire.ts';
import { directPartRoutes } from './direct-parts.ts';
import { usageRoutes } from './usage.ts';

export interface UploadRoutesOptions {
  sessions: SessionsClient;
  uploadTokens: UploadTokens;
  /** Public base URL of the uploads workers, e.g. `https://upload.example.com`. */
  uploadsPublicUrl: string;
  /** `POST /uploads` per user per minute (`UPLOADS_OPENS_PER_MINUTE`). */
  opensPerMinute: number;
  accounts: AccountService;
  /** The quota of an account whose email is not verified (`UNVERIFIED_QUOTA_BYTES`). */
  unverifiedQuotaBytes: number;
}

/**
 * Opening, inspecting and cancelling the signed-in user's uploads. Relay uploads send chunks to the
 * uploads workers (with the upload token minted here); direct uploads PUT parts to storage on URLs
 * from `POST /uploads/:id/parts` (direct-parts.ts).
 */
export const uploadRoutes: FastifyPluginAsyncTypebox<UploadRoutesOptions> = async (
  app,
  { sessions, uploadTokens, uploadsPublicUrl, opensPerMinute, accounts, unverifiedQuotaBytes },
) => {
  app.addHook('preHandler', app.requireUser);
  const base = uploadsPublicUrl.replace(/\/+$/, '');

  // Counted per signed-in user whatever the IP, on top of the global per-IP limit. A route
  // preHandler runs after the scope's `requireUser`, so `request.auth` is set when this keys on it.
  const checkOpens = app.createRateLimit({
    max: opensPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request: FastifyRequest) => `upload-open:${claimsOf(request).userId}`,
  });
  const limitOpens = async (request: FastifyRequest) => {
    const result = await checkOpens(request);
    if (result.isAllowed || !result.isExceeded) return;
    request.log.info(
      { userId: claimsOf(request).userId, limit: 'UPLOADS_OPENS_PER_MINUTE', max: opensPerMinute },
      'upload open refused',
    );
    throw new AppError('too_many_requests', `at most ${opensPerMinute} uploads may be opened per minute`, {
      retryAfterSeconds: Math.max(1, result.ttlInSeconds),
      details: { limit: opensPerMinute },
    });
  };

  async function chunkTarget(claims: { userId: string; sessionId: string }, uploadId: string) {
    const { token, expiresAt } = await uploadTokens.issue({ ...claims, uploadId });
    return {
      uploadUrl: `${base}/uploads/${uploadId}`,
      uploadToken: token,
      uploadTokenExpiresAt: new Date(expiresAt * 1000).toISOString(),
    };
  }

  app.post(
    '/',
    {
      preHandler: limitOpens,
      schema: {
        tags: ['uploads'],
        summary: 'Open an upload: returns the chunk plan and, for relay, a token for the uploads workers',
        description:
          'Refused with 429 `too_many_requests` beyond the opens allowed per user per minute, and 429 ' +
          '`too_many_uploads` when the user already has the most uploads in progress allowed; both carry `Retry-After`. ' +
          '`transfer: "direct"` where the server does not offer it is 409 `failed_precondition` with ' +
          '`details.reason: "transfer_unavailable"`.',
        body: CreateUploadBody,
        response: { 201: CreateUploadResponse, ...errorResponses, 409: errorResponses[400], 413: errorResponses[400] },
      },
    },
    async (request, reply) => {
      const { userId } = claimsOf(request);
      const { emailVerified } = await accounts.get(userId);
      const upload = await sessions
        .createUpload(
          {
            userId,
            fileName: request.body.fileName,
            size: request.body.size,
            contentType: request.body.contentType ?? '',
            sha256: request.body.sha256 ?? '',
            idempotencyKey: request.body.idempotencyKey ?? '',
            transfer: request.body.transfer ?? '',
            // Sessions applies the smaller of this and its USER_QUOTA_BYTES; 0 = no cap.
            quotaBytes: emailVerified ? 0 : unverifiedQuotaBytes,
          },
          { requestId: request.id },
        )
        .catch((err: unknown) => {
          throw emailVerified ? err : unverifiedQuotaRefusal(err, unverifiedQuotaBytes);
        });
      const view = publicUpload(upload);
      return reply.status(201).send({
        uploadId: upload.uploadId,
        chunkSize: upload.chunkSize,
        totalChunks: upload.totalChunks,
        expiresAt: upload.expiresAt,
        transfer: view.transfer,
        // Only a relayed upload needs a token for the uploads workers: a direct one never talks to them.
        ...(view.transfer === 'relay' ? await chunkTarget(claimsOf(request), upload.uploadId) : {}),
        upload: view,
      });
    },
  );

  app.get(
    '/',
    {
      schema: {
        tags: ['uploads'],
        summary: 'Your uploads still in progress (uploading or assembling), newest first, a page at a time',
        description:
          'Finished uploads are not listed (read one through `GET /uploads/:id`). `limit` 1-100, default 100.',
        querystring: UploadListQuery,
        response: { 200: UploadListResponse, ...errorResponses },
      },
    },
    async (request) => {
      const page = await sessions.listUploads(
        {
          userId: claimsOf(request).userId,
          limit: request.query.limit ? Number(request.query.limit) : 0,
          cursor: request.query.cursor ?? '',
        },
        { requestId: request.id },
      );
      return { uploads: page.uploads.map(publicUpload), nextCursor: page.nextCursor || null };
    },
  );

  app.get(
    '/:id',
    {
      schema: {
        tags: ['uploads'],
        summary: 'An upload: its status, the chunks received so far and, while open, a fresh upload token',
        description:
          'With `wait` (1-20 seconds), an upload in progress is answered as soon as its status changes — ' +
          '`uploading` → `assembling` → `completed` or `failed` — or after that many seconds with its status ' +
          'unchanged: call again at once. One waiting call replaces polling while a file assembles.',
        params: IdParams,
        querystring: UploadDetailQuery,
        response: { 200: UploadDetailResponse, ...resourceErrorResponses },
      },
    },
    async (request, reply) => {
      const { userId } = claimsOf(request);
      const ctx = { requestId: request.id };
      const waitMs = Number(request.query.wait ?? 0) * 1000;
      const upload = await sessions.getUpload(
        { uploadId: request.params.id, userId, waitMs },
        waitMs > 0 ? { ...ctx, deadlineMs: waitMs + WAIT_DEADLINE_SLACK_MS, signal: gone(reply) } : ctx,
      );
      const view = publicUpload(upload);
      const open = view.status === 'uploading';
      const parts = open ? (await sessions.listParts({ uploadId: upload.uploadId, userId }, ctx)).parts : [];
      return {
        upload: view,
        receivedIndexes: parts.map((p) => p.index).sort((a, b) => a - b),
        ...(open && view.transfer === 'relay' ? await chunkTarget(claimsOf(request), upload.uploadId) : {}),
      };
    },
  );

  app.patch(
    '/:id',
    {
      schema: {
        tags: ['uploads'],
        summary: "Declare the whole file's SHA-256 (hex), verified when the file is assembled",
        description:
          'Before the last part is received. The same value again is a no-op; another value once one is declared is ' +
          '409 `already_exists`; after the last part, 409 `failed_precondition`. A mismatch at assembly ends the ' +
          'upload `failed` with `failureCode: "checksum_mismatch"`.',
        params: IdParams,
        body: UploadPatchBody,
        response: { 200: UploadResponse, ...resourceErrorResponses },
      },
    },
    async (request) => {
      const upload = await sessions.declareSha256(
        { uploadId: request.params.id, userId: claimsOf(request).userId, sha256: request.body.sha256 },
        { requestId: request.id },
      );
      return { upload: publicUpload(upload) };
    },
  );

  await app.register(directPartRoutes, { sessions });
  await app.register(usageRoutes, { sessions, accounts, unverifiedQuotaBytes });

  app.delete(
    '/:id',
    {
      schema: {
        tags: ['uploads'],
        summary: 'Cancel an upload: its received chunks are discarded and its quota released',
        params: IdParams,
        response: { 204: NoContent, ...resourceErrorResponses },
      },
    },
    async (request, reply) => {
      await sessions.cancelUpload(
        { uploadId: request.params.id, userId: claimsOf(request).userId },
        { requestId: request.id },
      );
      return reply.status(204).send(null);
    },
  );
};

/** A waiting call's deadline beyond its wait: the read before and after it. */
const WAIT_DEADLINE_SLACK_MS = 5000;

/** Aborts when the client goes before its answer was sent: a waiting call stops waiting. */
function gone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** An unverified account's quota refusal says how to lift it; any other error passes unchanged. */
function unverifiedQuotaRefusal(err: unknown, quotaBytes: number): unknown {
  if (!(err instanceof AppError) || err.details?.reason !== 'quota_exceeded') return err;
  const gib = Math.round((quotaBytes / 1024 ** 3) * 100) / 100;
  return new AppError(
    'permission_denied',
    `until your email is verified you may store ${gib} GiB; verify it to get the full quota`,
    {
      cause: err,
      details: { reason: 'quota_exceeded', emailVerified: false, quotaBytes },
    },
  );
}

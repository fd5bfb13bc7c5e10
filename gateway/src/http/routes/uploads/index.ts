import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { SessionsClient } from '@lfusys/proto/sessions-client';
import type { UploadTokens } from '../../../auth/upload-tokens.ts';
import { claimsOf } from '../../plugins/authenticate.ts';
import {
  CreateUploadBody,
  CreateUploadResponse,
  errorResponses,
  IdParams,
  NoContent,
  resourceErrorResponses,
  UploadDetailResponse,
  UploadListResponse,
} from '../../schemas.ts';
import { publicUpload } from '../../wire.ts';

export interface UploadRoutesOptions {
  sessions: SessionsClient;
  uploadTokens: UploadTokens;
  /** Public base URL of the uploads workers, e.g. `https://upload.example.com`. */
  uploadsPublicUrl: string;
}

/** Opening, inspecting and cancelling the signed-in user's uploads; chunks go to the uploads workers. */
export const uploadRoutes: FastifyPluginAsyncTypebox<UploadRoutesOptions> = async (
  app,
  { sessions, uploadTokens, uploadsPublicUrl },
) => {
  app.addHook('preHandler', app.requireUser);
  const base = uploadsPublicUrl.replace(/\/+$/, '');

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
      schema: {
        tags: ['uploads'],
        summary: 'Open an upload: returns the chunk plan and a token for the uploads workers',
        body: CreateUploadBody,
        response: { 201: CreateUploadResponse, ...errorResponses, 413: errorResponses[400] },
      },
    },
    async (request, reply) => {
      const { userId } = claimsOf(request);
      const upload = await sessions.createUpload(
        {
          userId,
          fileName: request.body.fileName,
          size: request.body.size,
          contentType: request.body.contentType ?? '',
          sha256: request.body.sha256 ?? '',
          idempotencyKey: request.body.idempotencyKey ?? '',
        },
        { requestId: request.id },
      );
      return reply.status(201).send({
        uploadId: upload.uploadId,
        chunkSize: upload.chunkSize,
        totalChunks: upload.totalChunks,
        expiresAt: upload.expiresAt,
        ...(await chunkTarget(claimsOf(request), upload.uploadId)),
        upload: publicUpload(upload),
      });
    },
  );

  app.get(
    '/',
    {
      schema: {
        tags: ['uploads'],
        summary: 'Your uploads still in progress (uploading or assembling)',
        response: { 200: UploadListResponse, 401: errorResponses[401] },
      },
    },
    async (request) => {
      const { uploads } = await sessions.listUploads({ userId: claimsOf(request).userId }, { requestId: request.id });
      return { uploads: uploads.map(publicUpload) };
    },
  );

  app.get(
    '/:id',
    {
      schema: {
        tags: ['uploads'],
        summary: 'An upload: its status, the chunks received so far and, while open, a fresh upload token',
        params: IdParams,
        response: { 200: UploadDetailResponse, ...resourceErrorResponses },
      },
    },
    async (request) => {
      const { userId } = claimsOf(request);
      const ctx = { requestId: request.id };
      const upload = await sessions.getUpload({ uploadId: request.params.id, userId }, ctx);
      const open = publicUpload(upload).status === 'uploading';
      const parts = open ? (await sessions.listParts({ uploadId: upload.uploadId, userId }, ctx)).parts : [];
      return {
        upload: publicUpload(upload),
        receivedIndexes: parts.map((p) => p.index).sort((a, b) => a - b),
        ...(open ? await chunkTarget(claimsOf(request), upload.uploadId) : {}),
      };
    },
  );

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

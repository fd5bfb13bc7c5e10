import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { SessionsClient } from '@lfusys/proto/sessions-client';
import { claimsOf } from '../../plugins/authenticate.ts';
import {
  DownloadResponse,
  errorResponses,
  FileListQuery,
  FileListResponse,
  FileResponse,
  IdParams,
  NoContent,
  RenameFileBody,
  resourceErrorResponses,
} from '../../schemas.ts';
import { publicFile } from '../../wire.ts';

/** The signed-in user's completed files. */
export const fileRoutes: FastifyPluginAsyncTypebox<{ sessions: SessionsClient }> = async (app, { sessions }) => {
  app.addHook('preHandler', app.requireUser);

  app.get(
    '/',
    {
      schema: {
        tags: ['files'],
        summary: 'Your files, newest first, a page at a time',
        querystring: FileListQuery,
        response: { 200: FileListResponse, ...errorResponses },
      },
    },
    async (request) => {
      const page = await sessions.listFiles(
        {
          userId: claimsOf(request).userId,
          limit: request.query.limit ? Number(request.query.limit) : 0,
          cursor: request.query.cursor ?? '',
        },
        { requestId: request.id },
      );
      return { files: page.files.map(publicFile), nextCursor: page.nextCursor || null };
    },
  );

  app.get(
    '/:id',
    {
      schema: {
        tags: ['files'],
        summary: 'One of your files',
        params: IdParams,
        response: { 200: FileResponse, ...resourceErrorResponses },
      },
    },
    async (request) => ({
      file: publicFile(
        await sessions.getFile(
          { fileId: request.params.id, userId: claimsOf(request).userId },
          { requestId: request.id },
        ),
      ),
    }),
  );

  app.patch(
    '/:id',
    {
      schema: {
        tags: ['files'],
        summary: 'Rename a file (the stored object keeps its key; only the name changes)',
        params: IdParams,
        body: RenameFileBody,
        response: { 200: FileResponse, ...resourceErrorResponses },
      },
    },
    async (request) => ({
      file: publicFile(
        await sessions.renameFile(
          { fileId: request.params.id, userId: claimsOf(request).userId, name: request.body.name },
          { requestId: request.id },
        ),
      ),
    }),
  );

  app.delete(
    '/:id',
    {
      schema: {
        tags: ['files'],
        summary: 'Delete a file: its object and its record',
        params: IdParams,
        response: { 204: NoContent, ...resourceErrorResponses },
      },
    },
    async (request, reply) => {
      await sessions.deleteFile(
        { fileId: request.params.id, userId: claimsOf(request).userId },
        { requestId: request.id },
      );
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/:id/download',
    {
      schema: {
        tags: ['files'],
        summary: 'A short-lived download link that saves the file under its name',
        params: IdParams,
        response: { 200: DownloadResponse, ...resourceErrorResponses },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return sessions.getDownloadUrl(
        { fileId: request.params.id, userId: claimsOf(request).userId },
        { requestId: request.id },
      );
    },
  );
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { SessionsClient } from '@lfusys/proto/sessions-client';
import { claimsOf } from '../../plugins/authenticate.ts';
import {
  ConfirmPartsBody,
  ConfirmPartsResponse,
  IdParams,
  resourceErrorResponses,
  SignPartsBody,
  SignPartsResponse,
} from '../../schemas.ts';

export interface DirectPartRoutesOptions {
  sessions: SessionsClient;
}

/**
 * Direct transfer (DESIGN §9.1): the client asks for presigned part URLs just in time, PUTs each
 * part straight to storage, then confirms. These routes are hot (a few calls per second during a
 * fast upload), so they carry only the global per-IP limit, not the per-minute opens limit.
 * Registered inside the uploads scope: the user is already authenticated, CSRF already checked.
 */
export const directPartRoutes: FastifyPluginAsyncTypebox<DirectPartRoutesOptions> = async (app, { sessions }) => {
  app.post(
    '/:id/parts',
    {
      schema: {
        tags: ['uploads'],
        summary: 'Presigned part URLs for a direct upload, each with its SHA-256 signed in',
        description:
          '1-100 parts per call, each with its exact `length` and base64 `sha256`. PUT the bytes to `url` with exactly ' +
          '`headers`; storage refuses other bytes. URLs live at most 15 minutes: on expiry or a 403, ask again. ' +
          '400 for a wrong length, malformed hash or index past the end; 409 `already_exists` for an index already ' +
          'received with other content.',
        params: IdParams,
        body: SignPartsBody,
        response: { 200: SignPartsResponse, ...resourceErrorResponses },
      },
    },
    async (request) => {
      const out = await sessions.signParts(
        { uploadId: request.params.id, userId: claimsOf(request).userId, parts: request.body.parts },
        { requestId: request.id },
      );
      return {
        parts: out.parts.map((p) => ({
          index: p.index,
          url: p.url,
          method: 'PUT' as const,
          headers: p.headers,
          expiresAt: p.expiresAt,
        })),
      };
    },
  );

  app.post(
    '/:id/parts/confirm',
    {
      schema: {
        tags: ['uploads'],
        summary: 'Confirm parts PUT to storage: each is checked there, then recorded',
        description:
          'Each part must be in storage with exactly the signed length (and checksum, where storage reports it). ' +
          'A part missing or different is 409 `aborted` with `details.index` and nothing is recorded: send that part ' +
          'again. Confirming a recorded part again is a no-op. `complete: true` means the file is being assembled.',
        params: IdParams,
        body: ConfirmPartsBody,
        response: { 200: ConfirmPartsResponse, ...resourceErrorResponses },
      },
    },
    async (request) => {
      const out = await sessions.confirmParts(
        { uploadId: request.params.id, userId: claimsOf(request).userId, indexes: request.body.indexes },
        { requestId: request.id },
      );
      return { received: out.receivedChunks, totalChunks: out.totalChunks, complete: out.complete };
    },
  );
};

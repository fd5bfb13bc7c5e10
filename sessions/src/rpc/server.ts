import { Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { AppError, type Logger, REQUEST_ID_HEADER, requestIdFrom, toGrpcError } from '@lfusys/commons';
import { type SessionsServiceServer, SessionsServiceService } from '@lfusys/proto/sessions';
import { HealthImplementation } from 'grpc-health-check';
import { declareSha256 } from '../domain/declared-sha256.ts';
import type { FileService } from '../domain/file-service.ts';
import type { PartConfirmation } from '../domain/part-confirmation.ts';
import type { PartUrls } from '../domain/part-urls.ts';
import type { RelayParts } from '../domain/relay-parts.ts';
import type { UploadService } from '../domain/upload-service.ts';
import { deleteUserData, type UserDataDeps } from '../domain/user-data.ts';
import type { UploadRepository } from '../ports/upload-repository.ts';
import { encodeFile, encodePart, encodePreparedPart, encodeUpload } from './encode.ts';

export interface RpcDeps {
  uploads: UploadService;
  partUrls: PartUrls;
  partConfirmation: PartConfirmation;
  relayParts: RelayParts;
  /** DeclareSha256 is one conditional write, with no service of its own. */
  repository: UploadRepository;
  files: FileService;
  userData: UserDataDeps;
  bucket: string;
  logger: Logger;
}

type Handler<Req, Res> = (request: Req, log: Logger) => Promise<Res>;

/** Adapts a promise handler: request id from metadata into the log, AppError → gRPC status, one log per failure. */
function unaryHandler<Req, Res>(name: string, logger: Logger, handler: Handler<Req, Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    const requestId = requestIdFrom(call.metadata.get(REQUEST_ID_HEADER)[0]);
    // The caller's user (where the request names one), so each refusal is logged once with it.
    const userId = (call.request as { userId?: unknown }).userId;
    const log = logger.child({ requestId, rpc: name, ...(typeof userId === 'string' && userId ? { userId } : {}) });
    handler(call.request, log).then(
      (response) => callback(null, response),
      (err: unknown) => {
        const appError = AppError.from(err);
        if (appError.code === 'internal' || appError.code === 'unavailable')
          log.error({ err: appError.cause ?? appError }, 'rpc failed');
        else log.debug({ code: appError.code, reason: appError.message }, 'rpc rejected');
        callback(toGrpcError(appError));
      },
    );
  };
}

function requireUser(userId: string): string {
  if (userId === '') throw new AppError('invalid_argument', 'user_id is required');
  return userId;
}

export function sessionsHandlers(deps: RpcDeps): SessionsServiceServer {
  const { uploads, files, userData, bucket, logger } = deps;
  return {
    createUpload: unaryHandler('CreateUpload', logger, async (r) =>
      encodeUpload(
        await uploads.create({
          userId: requireUser(r.userId),
          fileName: r.fileName,
          size: r.size,
          contentType: r.contentType,
          sha256: r.sha256,
          idempotencyKey: r.idempotencyKey,
          transfer: r.transfer,
          quotaBytes: r.quotaBytes,
        }),
      ),
    ),
    getUpload: unaryHandler('GetUpload', logger, async (r) =>
      encodeUpload(await uploads.get(r.uploadId, r.userId), r.userId === '' ? bucket : undefined),
    ),
    listUploads: unaryHandler('ListUploads', logger, async (r) => {
      const page = await uploads.list(requireUser(r.userId), r.limit, r.cursor);
      return { uploads: page.uploads.map((u) => encodeUpload(u)), nextCursor: page.nextCursor };
    }),
    cancelUpload: unaryHandler('CancelUpload', logger, async (r) =>
      encodeUpload(await uploads.cancel(r.uploadId, requireUser(r.userId))),
    ),
    recordPart: unaryHandler('RecordPart', logger, async (r) => {
      const out = await uploads.recordPart(r.uploadId, {
        index: r.index,
        size: r.size,
        sha256: r.sha256,
        etag: r.etag,
      });
      return {
        receivedChunks: out.upload.receivedChunks,
        totalChunks: out.upload.totalChunks,
        complete: out.complete,
        newlyRecorded: out.newlyRecorded,
      };
    }),
    preparePart: unaryHandler('PreparePart', logger, async (r) =>
      encodePreparedPart(
        r.index,
        await deps.relayParts.prepare({
          uploadId: r.uploadId,
          userId: requireUser(r.userId),
          index: r.index,
          sha256: r.sha256,
          length: r.length,
        }),
      ),
    ),
    listParts: unaryHandler('ListParts', logger, async (r) => ({
      parts: (await uploads.listParts(r.uploadId, r.userId)).map(encodePart),
    })),
    listFiles: unaryHandler('ListFiles', logger, async (r) => {
      const page = await files.list(requireUser(r.userId), r.limit, r.cursor);
      return { files: page.files.map(encodeFile), nextCursor: page.nextCursor };
    }),
    getFile: unaryHandler('GetFile', logger, async (r) => encodeFile(await files.get(r.fileId, requireUser(r.userId)))),
    renameFile: unaryHandler('RenameFile', logger, async (r) =>
      encodeFile(await files.rename(r.fileId, requireUser(r.userId), r.name)),
    ),
    deleteFile: unaryHandler('DeleteFile', logger, async (r) => {
      await files.delete(r.fileId, requireUser(r.userId));
      return {};
    }),
    getDownloadUrl: unaryHandler('GetDownloadUrl', logger, async (r) =>
      files.downloadUrl(r.fileId, requireUser(r.userId)),
    ),
    deleteUserData: unaryHandler('DeleteUserData', logger, async (r) =>
      deleteUserData(userData, requireUser(r.userId)),
    ),
    signParts: unaryHandler('SignParts', logger, async (r) => ({
      parts: await deps.partUrls.sign(r.uploadId, requireUser(r.userId), r.parts),
    })),
    confirmParts: unaryHandler('ConfirmParts', logger, async (r) =>
      deps.partConfirmation.confirm(r.uploadId, requireUser(r.userId), r.indexes),
    ),
    getUsage: unaryHandler('GetUsage', logger, async (r) => uploads.usage(requireUser(r.userId), r.quotaBytes)),
    declareSha256: unaryHandler('DeclareSha256', logger, async (r) =>
      encodeUpload(await declareSha256(deps.repository, r.uploadId, requireUser(r.userId), r.sha256)),
    ),
  };
}

/** Binds the sessions service and the standard gRPC health service; returns the bound port. */
export async function startRpcServer(
  deps: RpcDeps,
  address: string,
): Promise<{ server: Server; port: number; health: HealthImplementation }> {
  const server = new Server({ 'grpc.max_receive_message_length': 1024 * 1024 });
  server.addService(SessionsServiceService, sessionsHandlers(deps));
  const health = new HealthImplementation({ '': 'SERVING', 'lfusys.sessions.v1.SessionsService': 'SERVING' });
  health.addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  return { server, port, health };
}

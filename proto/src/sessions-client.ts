import { credentials } from '@grpc/grpc-js';
import { type CallContext, unary } from '@lfusys/commons';
import { CreateUploadRequest, ListUploadsRequest, SessionsServiceClient } from '../gen/lfusys/sessions/v1/sessions.ts';

/** Promise-based sessions client: deadlines on every call, request id in metadata, AppError on failure. */
export function createSessionsClient(address: string, deadlineMs = 5000) {
  const client = new SessionsServiceClient(address, credentials.createInsecure(), {
    'grpc.keepalive_time_ms': 30_000,
    // Reconnect fast after a sessions restart.
    'grpc.initial_reconnect_backoff_ms': 200,
    'grpc.max_reconnect_backoff_ms': 2000,
  });
  const call = <Req, Res>(method: Parameters<typeof unary<Req, Res>>[0]) => unary(method, client, deadlineMs);
  const listUploads = call(client.listUploads);
  const createUpload = call(client.createUpload);
  return {
    /** Optional fields (transfer, sha256, idempotency key, content type) default to empty. */
    createUpload: (
      request: Pick<CreateUploadRequest, 'userId' | 'fileName' | 'size'> & Partial<CreateUploadRequest>,
      context?: CallContext,
    ) => createUpload(CreateUploadRequest.fromPartial(request), context),
    getUpload: call(client.getUpload),
    /** Paging is optional: without `limit` and `cursor` it reads the first (largest) page. */
    listUploads: (request: Pick<ListUploadsRequest, 'userId'> & Partial<ListUploadsRequest>, context?: CallContext) =>
      listUploads(ListUploadsRequest.fromPartial(request), context),
    cancelUpload: call(client.cancelUpload),
    recordPart: call(client.recordPart),
    listParts: call(client.listParts),
    preparePart: call(client.preparePart),
    listFiles: call(client.listFiles),
    getFile: call(client.getFile),
    renameFile: call(client.renameFile),
    deleteFile: call(client.deleteFile),
    getDownloadUrl: call(client.getDownloadUrl),
    deleteUserData: call(client.deleteUserData),
    signParts: call(client.signParts),
    confirmParts: call(client.confirmParts),
    declareSha256: call(client.declareSha256),
    getUsage: call(client.getUsage),
    close: () => client.close(),
  };
}

export type SessionsClient = ReturnType<typeof createSessionsClient>;
export type { CallContext };

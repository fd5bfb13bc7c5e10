import type {
  ListPartsResponse,
  PreparePartRequest,
  PreparePartResponse,
  RecordPartRequest,
  RecordPartResponse,
  Upload,
} from '@lfusys/proto/sessions';

/** The upload token's subject: sessions acts for this user only, for the upload the request names. */
type ForUser<Req> = Req & { userId: string };

/** What a worker asks of the sessions service (each call signed for the token's user and upload). */
export interface SessionsPort {
  getUpload(request: { uploadId: string; userId: string }, context?: { requestId?: string }): Promise<Upload>;
  /**
   * Before a chunk is stored: the part as recorded already, or a presigned UploadPart URL for it.
   * Sessions checks the chunk against the session again (the authority; the worker's checks only
   * refuse early), with the same codes.
   */
  preparePart(request: ForUser<PreparePartRequest>, context?: { requestId?: string }): Promise<PreparePartResponse>;
  recordPart(request: ForUser<RecordPartRequest>, context?: { requestId?: string }): Promise<RecordPartResponse>;
  listParts(
    request: { uploadId: string; userId: string },
    context?: { requestId?: string },
  ): Promise<ListPartsResponse>;
}

export interface AssemblyQueue {
  enqueue(uploadId: string): Promise<void>;
}

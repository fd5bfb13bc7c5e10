import { AppError } from '@lfusys/commons';
import type { FilePage, FileRepository } from '../ports/file-repository.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import { sanitizeFileName } from './file-name.ts';
import type { StoredFile } from './upload.ts';

export const MAX_PAGE_SIZE = 100;

/** A user's completed files: list, read, rename, delete, download. */
export class FileService {
  constructor(
    private readonly files: FileRepository,
    private readonly objects: ObjectStore,
    private readonly downloadTtlSeconds: number,
    private readonly clock: { now(): number },
  ) {}

  async get(fileId: string, userId: string): Promise<StoredFile> {
    const file = await this.files.get(fileId);
    if (!file || file.userId !== userId) throw new AppError('not_found', 'file not found');
    return file;
  }

  list(userId: string, limit: number, cursor: string): Promise<FilePage> {
    const pageSize = limit === 0 ? 20 : limit;
    if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new AppError('invalid_argument', `limit must be 1..${MAX_PAGE_SIZE}`, { details: { field: 'limit' } });
    }
    return this.files.listByOwner(userId, pageSize, cursor);
  }

  async rename(fileId: string, userId: string, name: string): Promise<StoredFile> {
    await this.get(fileId, userId);
    return this.files.rename(fileId, sanitizeFileName(name));
  }

  /** Deletes the object first, then the record: a crash in between leaves a record whose delete can be retried. */
  async delete(fileId: string, userId: string): Promise<void> {
    const file = await this.get(fileId, userId);
    await this.objects.delete(file.objectKey);
    await this.files.delete(file);
  }

  async downloadUrl(fileId: string, userId: string): Promise<{ url: string; expiresAt: string }> {
    const file = await this.get(fileId, userId);
    const url = await this.objects.presignDownload(file.objectKey, file.name, this.downloadTtlSeconds);
    return { url, expiresAt: new Date(this.clock.now() + this.downloadTtlSeconds * 1000).toISOString() };
  }
}

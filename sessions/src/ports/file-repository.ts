import type { StoredFile } from '../domain/upload.ts';

export interface FilePage {
  files: StoredFile[];
  nextCursor: string;
}

export interface FileRepository {
  get(fileId: string): Promise<StoredFile | null>;
  /** The owner's files, newest first; `cursor` is opaque. */
  listByOwner(userId: string, limit: number, cursor: string): Promise<FilePage>;
  rename(fileId: string, name: string): Promise<StoredFile>;
  /** Deletes the record and releases its bytes from the owner's quota; false if already gone. */
  delete(file: StoredFile): Promise<boolean>;
}

import type { UploadRepository } from '../ports/upload-repository.ts';

/** What a user stores and may store (`GetUsage`). */
export interface StorageUsage {
  /** Bytes of stored files and of uploads in progress (an upload reserves its whole size at open). */
  usedBytes: number;
  /** The quota that applies to this user. */
  quotaBytes: number;
  /** The largest file an open accepts (`MAX_FILE_BYTES`). */
  maxFileBytes: number;
}

/** The limits with the caller's smaller quota cap applied (an unverified account); 0 or none = no cap. */
export function withQuotaCap<T extends { quotaBytes: number }>(limits: T, cap: number | undefined): T {
  return cap !== undefined && cap > 0 && cap < limits.quotaBytes ? { ...limits, quotaBytes: cap } : limits;
}

/** The user's usage against the limits an open of theirs would meet (the same cap rule as `create`). */
export async function storageUsage(
  uploads: Pick<UploadRepository, 'usage'>,
  limits: { quotaBytes: number; maxFileBytes: number },
  userId: string,
  quotaCap: number,
): Promise<StorageUsage> {
  const { reservedBytes } = await uploads.usage(userId);
  const { quotaBytes, maxFileBytes } = withQuotaCap(limits, quotaCap);
  return { usedBytes: Math.max(0, reservedBytes), quotaBytes, maxFileBytes };
}

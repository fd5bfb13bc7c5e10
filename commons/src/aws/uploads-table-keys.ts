/**
 * The uploads table's keys, the one definition sessions writes with and tests and the benchmark
 * read with (the table itself: local-aws/resources.ts). Items:
 * - `UPLOAD#<id>` / `SESSION`: the session; `inProgressUserId` (= its owner) exists only while it
 *   is UPLOADING or ASSEMBLING, so the sparse `inProgressByUser` index holds nothing else.
 * - `UPLOAD#<id>` / `PART#<00000>`: one recorded part.
 * - `UPLOAD#<id>` / `SIGNED#<00000>`: what the last presigned URL for that part was signed for.
 * - `USER#<id>` / `USAGE`: reserved bytes and uploads in progress, the per-user limits' counters.
 * - `USER#<id>` / `DELETED`: the tombstone of a deleted user.
 */

const UPLOAD_PREFIX = 'UPLOAD#';

/** Sort keys of part items start with this, so `begins_with(sk, PART_SORT_PREFIX)` lists an upload's parts. */
export const PART_SORT_PREFIX = 'PART#';

const partNumber = (index: number) => String(index).padStart(5, '0');

/** The partition holding everything of one upload: its session, parts and part signatures. */
export const uploadPartition = (uploadId: string) => `${UPLOAD_PREFIX}${uploadId}`;

/** The upload id of a session item's partition key. */
export const uploadIdOfPartition = (pk: string) => pk.slice(UPLOAD_PREFIX.length);

export const uploadSessionKey = (uploadId: string) => ({ pk: uploadPartition(uploadId), sk: 'SESSION' });

export const uploadPartKey = (uploadId: string, index: number) => ({
  pk: uploadPartition(uploadId),
  sk: `${PART_SORT_PREFIX}${partNumber(index)}`,
});

export const signedPartKey = (uploadId: string, index: number) => ({
  pk: uploadPartition(uploadId),
  sk: `SIGNED#${partNumber(index)}`,
});

export const userUsageKey = (userId: string) => ({ pk: `USER#${userId}`, sk: 'USAGE' });

export const userTombstoneKey = (userId: string) => ({ pk: `USER#${userId}`, sk: 'DELETED' });

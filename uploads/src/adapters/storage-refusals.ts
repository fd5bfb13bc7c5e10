/**
 * S3 error codes for part bytes that do not match the checksum their request declared
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html): the client's fault.
 */
export const CHECKSUM_REFUSALS: ReadonlySet<string> = new Set([
  'BadDigest',
  'InvalidDigest',
  'XAmzContentChecksumMismatch',
]);

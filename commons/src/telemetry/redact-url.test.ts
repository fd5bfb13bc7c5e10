import { describe, expect, it } from 'vitest';
import { redactTarget, redactUrl } from './redact-url.ts';

describe('redactUrl', () => {
  it("redacts a presigned S3 URL's signature and credentials, keeping what says which part it was", () => {
    const url = new URL(
      'https://b.s3.eu-west-1.amazonaws.com/files/u/k?partNumber=3&uploadId=abc&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20261201&X-Amz-Security-Token=IQo&X-Amz-Signature=deadbeef',
    );
    const redacted = redactUrl(url);
    expect(redacted.searchParams.get('partNumber')).toBe('3');
    expect(redacted.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    for (const secret of ['X-Amz-Credential', 'X-Amz-Security-Token', 'X-Amz-Signature'])
      expect(redacted.searchParams.get(secret)).toBe('REDACTED');
    expect(redacted.toString()).not.toMatch(/deadbeef|AKIA|IQo/);
  });

  it('redacts the one-time token of a mailed link, whatever its case, and leaves other targets whole', () => {
    expect(redactTarget('/verify-email?TOKEN=s3cr3t&lang=en')).toBe('/verify-email?TOKEN=REDACTED&lang=en');
    expect(redactTarget('/api/v1/files?limit=20&cursor=abc')).toBe('/api/v1/files?limit=20&cursor=abc');
    expect(redactTarget('/uploads/u-1/chunks/3')).toBe('/uploads/u-1/chunks/3');
  });
});

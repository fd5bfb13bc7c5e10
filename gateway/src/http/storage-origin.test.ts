import { describe, expect, it } from 'vitest';
import { gatewayConfigSchema } from '../config.ts';
import { storageOrigin } from './storage-origin.ts';

const base = {
  AWS_REGION: 'eu-west-3',
  RESOURCE_PREFIX: 'acme-prod',
  AWS_ENDPOINT_URL: undefined,
  AWS_ENDPOINT_URL_S3: undefined,
  STORAGE_ORIGIN: undefined,
};

describe('storageOrigin', () => {
  it('is STORAGE_ORIGIN when it is set, whatever the endpoint', () => {
    expect(
      storageOrigin({ ...base, AWS_ENDPOINT_URL: 'http://localstack:4566', STORAGE_ORIGIN: 'http://localhost:4566' }),
    ).toBe('http://localhost:4566');
  });

  it("is the emulator's origin when an endpoint is set (the SDK signs path-style URLs there)", () => {
    expect(storageOrigin({ ...base, AWS_ENDPOINT_URL: 'http://127.0.0.1:4566/' })).toBe('http://127.0.0.1:4566');
  });

  it("is S3's own emulator's origin when S3 has its own endpoint", () => {
    expect(
      storageOrigin({
        ...base,
        AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
        AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4570',
      }),
    ).toBe('http://127.0.0.1:4570');
  });

  it("is the bucket's regional virtual-hosted origin in AWS", () => {
    expect(storageOrigin(base)).toBe('https://acme-prod-objects.s3.eu-west-3.amazonaws.com');
  });
});

describe('STORAGE_ORIGIN', () => {
  const parse = (value: string) => gatewayConfigSchema.shape.STORAGE_ORIGIN.safeParse(value);

  it('accepts an origin and normalises it', () => {
    expect(parse('https://b.s3.eu-west-3.amazonaws.com/').data).toBe('https://b.s3.eu-west-3.amazonaws.com');
    expect(parse('http://localhost:4566').data).toBe('http://localhost:4566');
  });

  it('refuses a path, a query or another scheme (a CSP source must be an origin here)', () => {
    expect(parse('https://s3.eu-west-3.amazonaws.com/bucket').success).toBe(false);
    expect(parse('https://b.s3.amazonaws.com/?x=1').success).toBe(false);
    expect(parse('ftp://storage.example.com').success).toBe(false);
    expect(parse('not a url').success).toBe(false);
  });
});

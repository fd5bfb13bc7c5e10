import { describe, expect, it } from 'vitest';
import { createS3Client, createSqsClient } from './clients.ts';

const hostOf = async (client: { config: { endpoint?: unknown } }) => {
  const endpoint = client.config.endpoint as (() => Promise<{ hostname: string; port?: number }>) | undefined;
  if (!endpoint) return undefined;
  const { hostname, port } = await endpoint();
  return `${hostname}:${port}`;
};

describe('AWS clients', () => {
  it('send S3 to its own endpoint when one is given, and the other services to the shared one', async () => {
    const settings = { region: 'us-east-1', endpoint: 'http://127.0.0.1:4566', s3Endpoint: 'http://127.0.0.1:4570' };
    const s3 = createS3Client(settings);
    expect(await hostOf(s3)).toBe('127.0.0.1:4570');
    expect(await s3.config.forcePathStyle).toBe(true);
    expect(await hostOf(createSqsClient(settings))).toBe('127.0.0.1:4566');
  });

  it('send S3 to the shared endpoint when it has none of its own', async () => {
    expect(await hostOf(createS3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:4566' }))).toBe(
      '127.0.0.1:4566',
    );
  });
});

import { createServer } from 'node:http';
import { S3Store } from '@tus/s3-store';
import { Server } from '@tus/server';

/**
 * Variant C's server, run as its own process (as a deployed tus server would be): `@tus/server`
 * with `@tus/s3-store` against the benchmark's S3 endpoint and bucket, on a free loopback port.
 * Env: TUS_S3_ENDPOINT, TUS_BUCKET, TUS_PART_SIZE (bytes; unset = the store's default, 8 MiB).
 * Prints one JSON line `{"port": n}` once it listens.
 */

const endpoint = process.env.TUS_S3_ENDPOINT;
const bucket = process.env.TUS_BUCKET;
if (!endpoint || !bucket) throw new Error('TUS_S3_ENDPOINT and TUS_BUCKET are required');
const partSize = Number(process.env.TUS_PART_SIZE ?? 0);

const store = new S3Store({
  ...(partSize > 0 ? { partSize } : {}),
  s3ClientConfig: {
    bucket,
    region: process.env.AWS_REGION ?? 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    // The same S3 client settings as our services and variant B, so all three send parts alike.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  },
});
const tus = new Server({ path: '/files', datastore: store });
const server = createServer((req, res) => {
  tus.handle(req, res).catch((err: unknown) => {
    console.error(err);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
server.requestTimeout = 0;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

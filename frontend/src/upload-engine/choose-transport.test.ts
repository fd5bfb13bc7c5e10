import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../test/support/clock.ts';
import { FakeServer } from '../../test/support/fake-server.ts';
import { transportFor } from './choose-transport.ts';
import { DirectTransport } from './direct-transport.ts';
import { RelayTransport } from './relay-transport.ts';

const clock = new ManualClock();
const deps = { server: new FakeServer(clock), clock };

describe('transportFor', () => {
  it('follows the transfer the server chose; none named is a relay server from before direct transfer', () => {
    expect(transportFor({ uploadId: 'u', transfer: 'direct' }, deps)).toBeInstanceOf(DirectTransport);
    const target = { uploadId: 'u', uploadUrl: 'https://up.test/v1/uploads/u', uploadToken: 't' };
    expect(transportFor({ ...target, transfer: 'relay' }, deps)).toBeInstanceOf(RelayTransport);
    expect(transportFor(target, deps)).toMatchObject({ mode: 'relay' });
  });

  it('refuses a transfer it does not know', () => {
    expect(() => transportFor({ uploadId: 'u', transfer: 'carrier-pigeon' as 'relay' }, deps)).toThrow(
      /carrier-pigeon/,
    );
  });
});

describe('RelayTransport', () => {
  it('PUTs the chunk to the uploads service with the token and checksum; a new token bumps the version', async () => {
    const server = new FakeServer(clock);
    const upload = server.createUpload({ fileName: 'a.bin', size: 10 });
    const token = server.issueToken(upload);
    const relay = new RelayTransport(server, upload.uploadId, `${upload.uploadUrl}/`, token);
    const body = new Blob([new Uint8Array(10)]);
    const signal = new AbortController().signal;
    expect(await relay.send({ index: 0, body, sha256: 'c2hh', signal, onProgress: () => undefined })).toEqual({
      status: 200,
      complete: true,
    });
    expect(server.calls[0]).toMatchObject({
      url: `${upload.uploadUrl}/chunks/0`,
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/octet-stream',
        'x-chunk-sha256': 'c2hh',
      },
    });
    const state = { uploadId: upload.uploadId, status: 'uploading' as const, chunkSize: 1024, totalChunks: 1 };
    relay.refresh({ ...state, receivedIndexes: [], uploadUrl: upload.uploadUrl, uploadToken: token });
    expect(relay.version).toBe(1);
    relay.refresh({ ...state, receivedIndexes: [], uploadToken: token });
    expect(relay.version).toBe(1);
    relay.refresh({ ...state, receivedIndexes: [], uploadToken: 'fresh' });
    expect(relay.version).toBe(2);
  });
});

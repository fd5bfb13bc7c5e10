import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { HashingLimiter } from './hashing-limiter.ts';

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('base64');

/** Pipes `pieces` through a limiter; returns what came out and how the pipeline ended. */
async function run(pieces: Buffer[], expected: number, sha256: string) {
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out.push(chunk);
      done();
    },
  });
  const error = await pipeline(Readable.from(pieces), new HashingLimiter(expected, sha256), sink).then(
    () => undefined,
    (err: unknown) => err,
  );
  return { passed: Buffer.concat(out), error };
}

describe('HashingLimiter', () => {
  const body = Buffer.from('0123456789abcdef');
  const pieces = [body.subarray(0, 5), body.subarray(5, 11), body.subarray(11)];

  it('passes a body of the expected length and digest through unchanged', async () => {
    const { passed, error } = await run(pieces, body.length, sha(body));
    expect(error).toBeUndefined();
    expect(passed.equals(body)).toBe(true);
  });

  it('withholds the last bytes of a body whose digest does not match', async () => {
    const { passed, error } = await run(pieces, body.length, sha(Buffer.from('other')));
    expect(error).toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('checksum') });
    // The consumer (S3) never got the whole Content-Length, so it cannot complete the part.
    expect(passed.length).toBeLessThan(body.length);
  });

  it('withholds the last bytes of a short body', async () => {
    const { passed, error } = await run(pieces.slice(0, 2), body.length, sha(body));
    expect(error).toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('expected 16') });
    expect(passed.length).toBeLessThan(11);
  });

  it('fails as soon as a body runs past its expected length', async () => {
    const { error } = await run([...pieces, Buffer.from('!')], body.length, sha(body));
    expect(error).toMatchObject({ code: 'payload_too_large' });
  });
});

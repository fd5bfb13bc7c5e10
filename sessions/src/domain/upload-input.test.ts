import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256OfStream } from './sha256-stream.ts';
import { checkCreateInput, checkSha256Hex } from './upload-input.ts';

const limits = { maxFileBytes: 1_000_000 };
const input = (sha256: string) => ({ userId: 'u', fileName: 'f.bin', size: 10, contentType: '', sha256 });
const digest = createHash('sha256').update('abc').digest();

describe('the declared whole-file SHA-256 (hex, DESIGN §9.2)', () => {
  it('accepts hex as sha256sum prints it and stores it in lower case', () => {
    expect(checkCreateInput(input(digest.toString('hex')), limits).sha256).toBe(digest.toString('hex'));
    expect(checkCreateInput(input(digest.toString('hex').toUpperCase()), limits).sha256).toBe(digest.toString('hex'));
    expect(checkCreateInput(input(''), limits).sha256).toBe('');
  });

  it.each([
    ['base64 (the form of part checksums)', digest.toString('base64')],
    ['63 characters', digest.toString('hex').slice(1)],
    ['65 characters', `${digest.toString('hex')}0`],
    ['a non-hex character', `${digest.toString('hex').slice(1)}g`],
    ['surrounding space', ` ${digest.toString('hex')}`],
  ])('refuses %s with invalid_argument on the sha256 field', (_label, value) => {
    expect(() => checkCreateInput(input(value), limits)).toThrow(
      expect.objectContaining({ code: 'invalid_argument', details: { field: 'sha256' } }),
    );
    expect(() => checkSha256Hex(value)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
  });
});

describe('sha256OfStream', () => {
  it('hashes chunks as they come to the digest of their concatenation (FIPS 180-2 "abc")', async () => {
    async function* chunks() {
      yield Buffer.from('a');
      yield Buffer.from('');
      yield Buffer.from('bc');
    }
    expect(await sha256OfStream(chunks())).toEqual({
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      bytes: 3,
    });
  });
});

import { createHash } from 'node:crypto';
import { expectedChunkLength } from '@lfusys/commons';
import { describe, expect, it } from 'vitest';
import { compositeEtag } from './assembler.ts';
import { attachmentDisposition } from './content-disposition.ts';
import { sanitizeFileName } from './file-name.ts';
import { MAX_PARTS, planChunks } from './upload.ts';

const MiB = 1024 * 1024;
const policy = { defaultChunkBytes: 16 * MiB, alignBytes: MiB };

describe('planChunks', () => {
  it('uses the default chunk for ordinary files', () => {
    expect(planChunks(100 * MiB, policy)).toEqual({ chunkSize: 16 * MiB, totalChunks: 7 });
    expect(planChunks(1, policy)).toEqual({ chunkSize: 16 * MiB, totalChunks: 1 });
  });

  it('grows the chunk so no file needs more than 10,000 parts, aligned to 1 MiB', () => {
    const size = 500 * 1024 * MiB;
    const { chunkSize, totalChunks } = planChunks(size, policy);
    expect(totalChunks).toBeLessThanOrEqual(MAX_PARTS);
    expect(chunkSize % MiB).toBe(0);
    expect(chunkSize * totalChunks).toBeGreaterThanOrEqual(size);
  });

  it('gives every chunk its exact length, the last one the remainder', () => {
    const upload = {
      size: 10 * 1024 + 123,
      ...planChunks(10 * 1024 + 123, { defaultChunkBytes: 1024, alignBytes: 1024 }),
    };
    expect(upload.totalChunks).toBe(11);
    expect(expectedChunkLength(upload, 0)).toBe(1024);
    expect(expectedChunkLength(upload, 10)).toBe(123);
  });
});

describe('sanitizeFileName', () => {
  it.each([
    ['../../etc/passwd', '.._.._etc_passwd'],
    ['a\u0000b\r\nc.txt', 'abc.txt'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['  Résumé.pdf ', 'Résumé.pdf'],
    ['say "hi".txt', 'say "hi".txt'],
  ])('%j becomes %j', (raw, clean) => {
    expect(sanitizeFileName(raw)).toBe(clean);
  });

  it.each(['', '   ', '..', '\u0000', 'x'.repeat(256)])('rejects %j', (raw) => {
    expect(() => sanitizeFileName(raw)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
  });
});

describe('attachmentDisposition (RFC 6266)', () => {
  it('keeps the header well-formed for quotes and non-ASCII names', () => {
    expect(attachmentDisposition('say "hi" – ok.txt')).toBe(
      `attachment; filename="say _hi_ _ ok.txt"; filename*=UTF-8''say%20%22hi%22%20%E2%80%93%20ok.txt`,
    );
    expect(attachmentDisposition('plain.bin')).toBe(`attachment; filename="plain.bin"; filename*=UTF-8''plain.bin`);
  });
});

describe('compositeEtag', () => {
  it('is the MD5 of the binary part MD5s with the part count', () => {
    const parts = [Buffer.from('a'), Buffer.from('b')];
    const md5s = parts.map((p) => createHash('md5').update(p).digest());
    const expected = `${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-2`;
    expect(compositeEtag(md5s.map((m) => `"${m.toString('hex')}"`))).toBe(expected);
  });
});

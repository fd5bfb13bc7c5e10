import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectedChunkLength, SHA256_BASE64, SHA256_HEX } from './upload-rules.ts';

describe('upload rules', () => {
  it('take a hex SHA-256 in either case, and nothing shorter, longer or not hex', () => {
    const hex = 'ab'.repeat(32);
    expect([hex, hex.toUpperCase()].map((v) => SHA256_HEX.test(v))).toEqual([true, true]);
    expect([hex.slice(1), `${hex}0`, `${hex.slice(1)}g`, ` ${hex.slice(1)}`].some((v) => SHA256_HEX.test(v))).toBe(
      false,
    );
  });

  it('take a padded base64 SHA-256 only', () => {
    const b64 = Buffer.alloc(32, 7).toString('base64');
    expect(SHA256_BASE64.test(b64)).toBe(true);
    expect(
      [b64.slice(0, -1), Buffer.alloc(32, 7).toString('base64url'), `${b64}=`].some((v) => SHA256_BASE64.test(v)),
    ).toBe(false);
  });

  it('import nothing, so the web app can bundle them', () => {
    const source = readFileSync(new URL('./upload-rules.ts', import.meta.url), 'utf8');
    expect(source.match(/^\s*(import|export .* from)\b.*$/gm)).toBeNull();
  });

  it('give every chunk the chunk size except the last, which takes the rest', () => {
    const layout = { size: 10, chunkSize: 4, totalChunks: 3 };
    expect([0, 1, 2].map((i) => expectedChunkLength(layout, i))).toEqual([4, 4, 2]);
    expect(expectedChunkLength({ size: 8, chunkSize: 4, totalChunks: 2 }, 1)).toBe(4);
    expect(expectedChunkLength({ size: 3, chunkSize: 4, totalChunks: 1 }, 0)).toBe(3);
  });
});

import { describe, expect, it } from 'vitest';
import { safeReturnTo } from './oidc-state-cookie.ts';

describe('safeReturnTo', () => {
  const origin = 'https://app.example';

  it('keeps a path on our origin, with its query and fragment', () => {
    expect(safeReturnTo('/files?cursor=a#top', origin)).toBe('/files?cursor=a#top');
    expect(safeReturnTo('/', origin)).toBe('/');
  });

  it.each([
    ['absent', undefined],
    ['an absolute URL', 'https://evil.example/'],
    ['a scheme-relative URL', '//evil.example/x'],
    ['a backslash trick', '/\\evil.example'],
    ['a relative path', 'files'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a control character', '/\tevil'],
  ])('answers / for %s', (_what, raw) => {
    expect(safeReturnTo(raw, origin)).toBe('/');
  });
});

import { describe, expect, it } from 'vitest';
import { isWellFormedRequestId, requestIdFrom } from './request-id.ts';

describe('requestIdFrom', () => {
  it('keeps a well-formed incoming id', () => {
    expect(requestIdFrom('req-12345678')).toBe('req-12345678');
    expect(requestIdFrom(['first-id-1234', 'second'])).toBe('first-id-1234');
  });

  it.each([undefined, '', 'short', 'has space 123', 'new\nline-12345', 'x'.repeat(129), 42])(
    'replaces %j with a UUID',
    (value) => {
      expect(isWellFormedRequestId(value)).toBe(false);
      expect(requestIdFrom(value)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    },
  );
});

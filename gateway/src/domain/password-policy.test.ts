import { describe, expect, it } from 'vitest';
import { normalizeEmail } from './email.ts';
import { assertAcceptablePassword } from './password-policy.ts';

describe('assertAcceptablePassword (OWASP ASVS 2.1)', () => {
  it.each(['correct horse battery', 'ñandú-ñandú', 'アイウエオカキク', ' leading space ok'])('accepts %j', (pw) => {
    expect(() => assertAcceptablePassword(pw)).not.toThrow();
  });

  it.each([
    ['too short', 'abc1234'],
    ['too long', 'x'.repeat(129)],
    ['common', 'password'],
    ['common, any case', 'PassWord1'],
    ['common', 'qwertyuiop'],
  ])('rejects %s: %j', (_why, pw) => {
    expect(() => assertAcceptablePassword(pw)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
  });

  it('counts characters, not UTF-16 units or bytes', () => {
    expect(() => assertAcceptablePassword('😀'.repeat(8))).not.toThrow();
    expect(() => assertAcceptablePassword('😀'.repeat(7))).toThrow();
    expect(() => assertAcceptablePassword('😀'.repeat(128))).not.toThrow();
  });

  it('has no composition rules', () => {
    expect(() => assertAcceptablePassword('alllowercaseletters')).not.toThrow();
  });
});

describe('normalizeEmail', () => {
  it('trims, lower-cases and NFC-normalises', () => {
    expect(normalizeEmail('  Ada@Example.COM ')).toBe('ada@example.com');
    expect(normalizeEmail('jose\u0301@example.com')).toBe('josé@example.com');
  });

  it.each([
    'a+tag@example.com',
    "o'brien@example.co.uk",
    'first.last@sub.example.org',
    'josé@exämple.com',
    'user@xn--p1ai.xn--p1ai',
    '_-~!#$%&*/=?^`{|}@x-y.io',
    `${'a'.repeat(64)}@example.com`,
  ])('accepts %j', (email) => {
    expect(normalizeEmail(email)).toBe(email.normalize('NFC').toLowerCase());
  });

  it.each([
    '',
    'plain',
    'a@b',
    'a b@example.com',
    '@example.com',
    `${'a'.repeat(65)}@example.com`,
    `a@${'b'.repeat(250)}.com`,
    // What a mailer would read as something else (a display name, a quoted string, a list).
    '"v"<a@x.io>',
    'q"uote@example.com',
    'a@x.io>',
    'a,b@x.io',
    'a;b@x.io',
    'a(comment)@x.io',
    'a\\b@x.io',
    'a@[127.0.0.1]',
    'a@b@x.io',
    // Dots only between atoms, hyphens only inside labels.
    '.a@x.io',
    'a.@x.io',
    'a..b@x.io',
    'a@x..io',
    'a@x.io.',
    'a@-x.io',
    'a@x-.io',
  ])('rejects %j', (email) => {
    expect(() => normalizeEmail(email)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
  });
});

import { loadConfig } from '@lfusys/commons';
import { describe, expect, it } from 'vitest';
import { defaultTransfer, sessionsConfigSchema } from './config.ts';

const base = { RESOURCE_PREFIX: 'test' };
const load = (env: Record<string, string>) => loadConfig(sessionsConfigSchema, { ...base, ...env });

describe('the default transfer', () => {
  it('is direct unless configured otherwise', () => {
    expect(defaultTransfer(load({}))).toBe('direct');
    expect(defaultTransfer(load({ UPLOAD_TRANSFER_DEFAULT: 'relay' }))).toBe('relay');
  });

  it('falls back to relay where direct is disabled, and refuses an explicit direct default there', () => {
    expect(defaultTransfer(load({ DIRECT_TRANSFER_ENABLED: 'false' }))).toBe('relay');
    expect(() => load({ DIRECT_TRANSFER_ENABLED: 'false', UPLOAD_TRANSFER_DEFAULT: 'direct' })).toThrow(
      /UPLOAD_TRANSFER_DEFAULT/,
    );
  });
});

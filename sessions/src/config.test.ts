import { loadConfig } from '@lfusys/commons';
import { describe, expect, it } from 'vitest';
import { defaultTransfer, sessionsConfigSchema } from './config.ts';

const gatewayKey = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'k1' };
const base = { RESOURCE_PREFIX: 'test', GRPC_CALLER_PUBLIC_KEYS: JSON.stringify({ gateway: [gatewayKey] }) };
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

describe('the gRPC security keys', () => {
  it('require the callers’ public keys, and refuse a private key or bad JSON among them', () => {
    expect(() => loadConfig(sessionsConfigSchema, { RESOURCE_PREFIX: 'test' })).toThrow(/GRPC_CALLER_PUBLIC_KEYS/);
    expect(() => load({ GRPC_CALLER_PUBLIC_KEYS: JSON.stringify({ gateway: [{ ...gatewayKey, d: 'x' }] }) })).toThrow(
      /GRPC_CALLER_PUBLIC_KEYS/,
    );
    expect(() => load({ GRPC_CALLER_PUBLIC_KEYS: '{gateway' })).toThrow(/GRPC_CALLER_PUBLIC_KEYS/);
    expect(load({}).GRPC_CALLER_PUBLIC_KEYS.gateway?.[0]?.kid).toBe('k1');
  });

  it('take the TLS certificate and key together or not at all', () => {
    const cert = '-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----';
    const key = '-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----';
    expect(() => load({ GRPC_TLS_CERT_PEM: cert })).toThrow(/GRPC_TLS_KEY_PEM/);
    expect(load({ GRPC_TLS_CERT_PEM: cert, GRPC_TLS_KEY_PEM: key }).GRPC_TLS_CERT_PEM).toContain('\nAAAA\n');
  });
});

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
    expect(load({}).GRPC_CALLER_PUBLIC_KEYS?.gateway?.[0]?.kid).toBe('k1');
  });

  it('take the callers’ public keys from their secrets instead, named service=secret id', () => {
    const ids = 'gateway=arn:aws:secretsmanager:eu-west-1:1:secret:p/GW-abc, uploads=p/UP';
    const config = loadConfig(sessionsConfigSchema, {
      RESOURCE_PREFIX: 'test',
      GRPC_CALLER_PUBLIC_KEY_SECRET_IDS: ids,
    });
    expect(config.GRPC_CALLER_PUBLIC_KEY_SECRET_IDS).toEqual({
      gateway: 'arn:aws:secretsmanager:eu-west-1:1:secret:p/GW-abc',
      uploads: 'p/UP',
    });
    for (const bad of ['gateway', 'admin=x', 'uploads='])
      expect(() => load({ GRPC_CALLER_PUBLIC_KEY_SECRET_IDS: bad })).toThrow(/GRPC_CALLER_PUBLIC_KEY_SECRET_IDS/);
  });

  it('take the TLS secrets and the name they are made for together', () => {
    const tls = { GRPC_TLS_SECRET_ID: 'p/TLS', GRPC_TLS_CA_SECRET_ID: 'p/CA', GRPC_TLS_NAME: 'sessions.p.internal' };
    expect(load(tls).GRPC_TLS_NAME).toBe('sessions.p.internal');
    expect(() => load({ GRPC_TLS_SECRET_ID: 'p/TLS' })).toThrow(/GRPC_TLS_SECRET_ID/);
    expect(() => load({ ...tls, GRPC_TLS_NAME: 'Sessions:50051' })).toThrow(/GRPC_TLS_NAME/);
  });

  it('take the TLS certificate and key together or not at all', () => {
    const cert = '-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----';
    const key = '-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----';
    expect(() => load({ GRPC_TLS_CERT_PEM: cert })).toThrow(/GRPC_TLS_KEY_PEM/);
    expect(load({ GRPC_TLS_CERT_PEM: cert, GRPC_TLS_KEY_PEM: key }).GRPC_TLS_CERT_PEM).toContain('\nAAAA\n');
  });
});

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { baseConfigShape, env } from './fields.ts';
import { ConfigError, loadConfig } from './load-config.ts';

const schema = z.object({
  ...baseConfigShape,
  PORT: env.port(8080),
  DEBUG: env.bool(false),
  ORIGINS: env.list(),
  SECRET: z.string().min(8),
});

describe('loadConfig', () => {
  it('applies defaults and parses numbers, booleans and lists', () => {
    const config = loadConfig(schema, { SECRET: 'long-enough', DEBUG: 'true', ORIGINS: 'https://a.io, ,https://b.io' });
    expect(config).toMatchObject({
      PORT: 8080,
      DEBUG: true,
      ORIGINS: ['https://a.io', 'https://b.io'],
      AWS_REGION: 'us-east-1',
    });
  });

  it('lists every bad key at once', () => {
    let error: unknown;
    try {
      loadConfig(schema, { PORT: 'eighty', DEBUG: 'yes', AWS_ENDPOINT_URL: 'not a url', RESOURCE_PREFIX: 'UPPER' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const keys = (error as ConfigError).problems.map((p) => p.split(':')[0]);
    expect(keys.sort()).toEqual(['AWS_ENDPOINT_URL', 'DEBUG', 'PORT', 'RESOURCE_PREFIX', 'SECRET']);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig(schema, { SECRET: 'long-enough', PORT: '' }).PORT).toBe(8080);
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig(schema, { SECRET: 'long-enough', ORIGINS: 'https://a.io' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.ORIGINS)).toBe(true);
    expect(() => {
      (config as { PORT: number }).PORT = 1;
    }).toThrow(TypeError);
  });
});

describe('env.pem', () => {
  const pem = z.object({ CERT: env.pem('CERTIFICATE') });
  it('takes real or escaped newlines, and refuses what is not PEM', () => {
    const text = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    expect(loadConfig(pem, { CERT: text }).CERT).toBe(text);
    expect(loadConfig(pem, { CERT: text.replaceAll('\n', '\\n') }).CERT).toBe(text);
    expect(() => loadConfig(pem, { CERT: 'hunter2' })).toThrow(/CERT/);
  });
});

import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { securityHeaders } from './security-headers.ts';

/** The page's CSP directives, as a map of directive → sources. */
async function cspOf(options: Parameters<typeof securityHeaders>[1]): Promise<Map<string, string[]>> {
  const app = Fastify();
  await app.register(securityHeaders, options);
  app.get('/', async () => 'ok');
  const res = await app.inject({ method: 'GET', url: '/' });
  await app.close();
  const header = String(res.headers['content-security-policy'] ?? '');
  return new Map(
    header
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name as string, sources]),
  );
}

describe('security headers', () => {
  it('lets the web app connect to itself, the uploads workers and the storage origin, and nothing else', async () => {
    const csp = await cspOf({
      secure: true,
      connectOrigins: ['https://files.example.com', 'https://acme-objects.s3.eu-west-3.amazonaws.com'],
    });
    expect(csp.get('connect-src')).toEqual([
      "'self'",
      'https://files.example.com',
      'https://acme-objects.s3.eu-west-3.amazonaws.com',
    ]);
    expect(csp.get('worker-src')).toEqual(["'self'"]);
    // WebAssembly for the hash worker, and nothing else beyond our own scripts (no 'unsafe-eval').
    expect(csp.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(csp.has('upgrade-insecure-requests')).toBe(true);
  });

  it('lists an origin once when the workers and storage share it, and never upgrades plain-http local runs', async () => {
    const csp = await cspOf({ secure: false, connectOrigins: ['http://localhost:4566', 'http://localhost:4566'] });
    expect(csp.get('connect-src')).toEqual(["'self'", 'http://localhost:4566']);
    expect(csp.has('upgrade-insecure-requests')).toBe(false);
  });
});

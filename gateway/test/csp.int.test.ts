import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from './harness.ts';

/**
 * The wiring from config to header: a direct-transfer part PUT is a fetch the CSP must allow, and
 * the app on another allowed origin (`npx vite`) sends its JSON, CSRF and trace headers.
 */
let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway({
    STORAGE_ORIGIN: 'https://acme-objects.s3.eu-west-3.amazonaws.com',
    UPLOADS_PUBLIC_URL: 'https://uploads.example.com/base',
    CORS_ORIGINS: 'http://localhost:5173',
  });
});
afterAll(() => gw.close());

describe('Content-Security-Policy', () => {
  it("allows connecting to STORAGE_ORIGIN and the uploads workers' origin", async () => {
    const res = await fetch(`${gw.baseUrl}/healthz`);
    const csp = res.headers.get('content-security-policy') ?? '';
    const connect = /(?:^|;)\s*connect-src ([^;]*)/.exec(csp)?.[1]?.split(/\s+/);
    expect(connect).toEqual([
      "'self'",
      'https://uploads.example.com',
      'https://acme-objects.s3.eu-west-3.amazonaws.com',
    ]);
  });
});

describe('CORS', () => {
  it('lets an allowed origin send the headers the web app sends, its W3C trace context included', async () => {
    const res = await gw.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/uploads',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-csrf-token,traceparent,tracestate',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    const allowed = String(res.headers['access-control-allow-headers']).split(/,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(['content-type', 'x-csrf-token', 'traceparent', 'tracestate']));
    expect(allowed).not.toContain('x-anything-else');
  });

  it('allows nothing to another origin', async () => {
    const res = await gw.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/uploads',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from './harness.ts';

/** The wiring from config to header: a direct-transfer part PUT is a fetch the CSP must allow. */
let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway({
    STORAGE_ORIGIN: 'https://acme-objects.s3.eu-west-3.amazonaws.com',
    UPLOADS_PUBLIC_URL: 'https://uploads.example.com/base',
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

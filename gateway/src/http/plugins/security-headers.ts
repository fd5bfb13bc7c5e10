import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface SecurityHeadersOptions {
  /** https deployment: HSTS and upgrade-insecure-requests on. Plain-http local runs must not pin HSTS on localhost. */
  secure: boolean;
  /**
   * Origins other than our own the web app may `fetch`: the uploads workers (relay chunks) and the
   * object storage (direct-transfer part PUTs on presigned URLs, DESIGN §9.1).
   */
  connectOrigins: readonly string[];
}

/**
 * helmet's headers on every response, with the web app's Content-Security-Policy
 * (https://www.w3.org/TR/CSP3/#directive-connect-src): scripts, styles and workers from this origin
 * only, and network requests to this origin plus exactly `connectOrigins`. `'wasm-unsafe-eval'`
 * lets the hash worker compile hash-wasm's WebAssembly (the whole-file SHA-256, DESIGN §9.2); it
 * allows WebAssembly compilation only, never JavaScript `eval` or inline scripts.
 */
async function securityHeadersPlugin(app: FastifyInstance, options: SecurityHeadersOptions): Promise<void> {
  await app.register(helmet, {
    global: true,
    hsts: options.secure,
    contentSecurityPolicy: {
      directives: {
        upgradeInsecureRequests: options.secure ? [] : null,
        scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
        connectSrc: ["'self'", ...new Set(options.connectOrigins)],
        workerSrc: ["'self'"],
      },
    },
  });
}

export const securityHeaders = fp(securityHeadersPlugin, { name: 'security-headers' });

/**
 * Query parameters whose values are secrets and must not reach a span: the signature and
 * credentials of presigned S3 URLs (the uploads workers PUT parts to them; a URL in a trace would
 * let its reader write that part until it expires), and the one-time `token` of mailed links
 * (`/verify-email?token=`, as the logger redacts it). The first ones are the HTTP
 * instrumentation's own defaults, which fetch's (undici) does not apply.
 * https://opentelemetry.io/docs/specs/semconv/http/http-spans/ (url.full, url.query: redact sensitive parts)
 */
export const REDACTED_QUERY_PARAMS = [
  'sig',
  'Signature',
  'AWSAccessKeyId',
  'X-Goog-Signature',
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
  'token',
];

const SECRET = new Set(REDACTED_QUERY_PARAMS.map((p) => p.toLowerCase()));

/** `url` with the value of every secret query parameter replaced by `REDACTED`. */
export function redactUrl(url: URL): URL {
  const out = new URL(url);
  for (const name of [...out.searchParams.keys()])
    if (SECRET.has(name.toLowerCase())) out.searchParams.set(name, 'REDACTED');
  return out;
}

/** A request target (`/path?query`) with secret query values redacted. */
export function redactTarget(target: string): string {
  const url = redactUrl(new URL(target, 'http://target.invalid'));
  return `${url.pathname}${url.search}`;
}

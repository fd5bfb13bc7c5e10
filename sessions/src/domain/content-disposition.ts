/**
 * `attachment` with the original name per RFC 6266 §4.3: an ASCII-only `filename` fallback
 * (quotes, backslashes and non-ASCII replaced) plus `filename*` in RFC 8187 UTF-8 percent-encoding,
 * which every current browser prefers.
 */
export function attachmentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

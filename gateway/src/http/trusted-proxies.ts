/**
 * Fastify's `trustProxy` setting for a list of trusted proxy addresses or CIDR blocks.
 *
 * Given a list, Fastify compiles it with proxy-addr: `request.ip` is the socket peer unless the peer
 * is trusted; then it walks X-Forwarded-For from right to left and stops at the first address that
 * is not trusted. The left-most entries are whatever the client wrote, so they are only reached
 * when every hop after them is one of ours. `true` (trust everyone) would instead take the
 * left-most entry — a value the client chooses — and let one host rotate it past every per-IP limit.
 *
 * An empty list gives `false`: no proxy is trusted and X-Forwarded-For is ignored entirely.
 */
export function trustProxySetting(trustedCidrs: readonly string[]): string[] | false {
  return trustedCidrs.length > 0 ? [...trustedCidrs] : false;
}

/** How long a client may take, in milliseconds; what protects a server from slow-loris clients. */
export interface HttpTimeouts {
  /** From connection to the end of the request headers. */
  headersMs: number;
  /** From connection to the end of the whole request, body included. */
  requestMs: number;
  /** Longest silence on a socket (no byte either way) before it is closed. */
  idleMs: number;
}

/**
 * Fastify server options enforcing `timeouts`. Node checks the header and request deadlines on a
 * timer (30 s by default, which would let a slow-loris client hold a socket far past its deadline);
 * checking every second keeps the enforced limit within a second of the configured one.
 */
export function fastifyTimeoutOptions(timeouts: HttpTimeouts) {
  if (timeouts.headersMs > timeouts.requestMs) {
    throw new RangeError('the headers timeout cannot exceed the request timeout');
  }
  return {
    requestTimeout: timeouts.requestMs,
    connectionTimeout: timeouts.idleMs,
    http: { headersTimeout: timeouts.headersMs, connectionsCheckingInterval: 1000 },
  };
}

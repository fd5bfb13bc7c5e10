/** How long a client may take, in milliseconds; what protects a server from slow-loris clients. */
export interface HttpTimeouts {
  /** From connection to the end of the request headers. */
  headersMs: number;
  /**
   * From connection to the end of the whole request, body included; 0 turns this deadline off for
   * a server that bounds bodies another way (the uploads workers enforce a minimum body rate, so a
   * slow but steady uplink is not cut in the middle of a large chunk).
   */
  requestMs: number;
  /** Longest silence on a socket (no byte either way) before it is closed. */
  idleMs: number;
}

/**
 * Fastify server options enforcing `timeouts`. Node checks the header and request deadlines on a
 * timer (30 s by default, which would let a slow-loris client hold a socket far past its deadline);
 * checking every second keeps the enforced limit within a second of the configured one. The header
 * deadline is checked even when the request deadline is off.
 */
export function fastifyTimeoutOptions(timeouts: HttpTimeouts) {
  if (timeouts.requestMs > 0 && timeouts.headersMs > timeouts.requestMs) {
    throw new RangeError('the headers timeout cannot exceed the request timeout');
  }
  return {
    requestTimeout: timeouts.requestMs,
    connectionTimeout: timeouts.idleMs,
    http: { headersTimeout: timeouts.headersMs, connectionsCheckingInterval: 1000 },
  };
}

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
  /**
   * Longest silence on a socket (no byte either way) before it is closed, also between two
   * requests on a kept-alive connection. A load balancer in front must give up on an idle
   * connection before this (the ALB's idle timeout is 60 s, the services' IDLE_TIMEOUT_MS 65 s in
   * Terraform): otherwise it may send a request on a socket the server is closing, a 502.
   */
  idleMs: number;
}

/**
 * Fastify server options enforcing `timeouts`. Node checks the header and request deadlines on a
 * timer (30 s by default, which would let a slow-loris client hold a socket far past its deadline);
 * checking every second keeps the enforced limit within a second of the configured one. The header
 * deadline is checked even when the request deadline is off. Keep-alive lasts as long as any other
 * idle period (Fastify's own default, 72 s, would outlive a shorter IDLE_TIMEOUT_MS only by chance).
 */
export function fastifyTimeoutOptions(timeouts: HttpTimeouts) {
  if (timeouts.requestMs > 0 && timeouts.headersMs > timeouts.requestMs) {
    throw new RangeError('the headers timeout cannot exceed the request timeout');
  }
  return {
    requestTimeout: timeouts.requestMs,
    connectionTimeout: timeouts.idleMs,
    keepAliveTimeout: timeouts.idleMs,
    http: { headersTimeout: timeouts.headersMs, connectionsCheckingInterval: 1000 },
  };
}

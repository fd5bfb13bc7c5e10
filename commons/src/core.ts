/**
 * The pure entry point (`@lfusys/commons/core`): errors, config, logging, request ids, start-up
 * and shutdown, readiness and metrics, token claims. It loads no AWS SDK, no gRPC and no Fastify,
 * so domain code and small tools can import it cheaply (`core.test.ts` holds it to that).
 */
export * from './auth/session-liveness.ts';
export * from './aws/resource-names.ts';
export * from './aws/uploads-table-keys.ts';
export * from './config/fields.ts';
export * from './config/load-config.ts';
export * from './errors/app-error.ts';
export * from './errors/status-tables.ts';
export * from './http-timeouts.ts';
export * from './jwt/ed25519-jwk.ts';
export * from './jwt/jwks-verifier.ts';
export * from './jwt/upload-token.ts';
export * from './logger.ts';
export * from './ops/health.ts';
export * from './ops/live-gauge.ts';
export * from './ops/metrics.ts';
export * from './request-id.ts';
export * from './run-service.ts';
export * from './startup.ts';
export * from './upload-rules.ts';

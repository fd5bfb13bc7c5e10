/** Everything in `core.ts`, plus the AWS SDK and gRPC helpers (which load those libraries). */
export * from './aws/clients.ts';
export * from './aws/dynamo-errors.ts';
export * from './aws/dynamo-login-sessions.ts';
export * from './aws/dynamo-pages.ts';
export * from './aws/sqs-assembly-queue.ts';
export * from './core.ts';
export * from './grpc/caller-token.ts';
export * from './grpc/errors.ts';
export * from './grpc/refreshing-caller-verifier.ts';
export * from './grpc/sessions-caller-config.ts';
export * from './grpc/unary.ts';
export * from './secrets/index.ts';
export { TELEMETRY_KEYS, telemetryConfigShape } from './telemetry/settings.ts';
export * from './telemetry/spans.ts';

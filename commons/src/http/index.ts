export * from './error-handler.ts';
export * from './fastify-errors.ts';
export * from './http-edge.ts';
export * from './ops-server.ts';

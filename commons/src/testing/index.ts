export * from './caller-keys.ts';
export * from './dev-tls.ts';
export * from './fault-proxy.ts';
export * from './gateway-client.ts';
export * from './outbox.ts';
export * from './service-process.ts';
export * from './stack.ts';

/** Secrets the services create and publish themselves (docs/security.md "Where keys come from"). */

export * from './key-sources.ts';
export * from './memory-secret-store.ts';
export * from './secret-store.ts';
export * from './secrets-manager-secret-store.ts';
export * from './service-keys.ts';

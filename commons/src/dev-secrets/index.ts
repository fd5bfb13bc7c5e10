/** Local secrets: generated for make dev and docker compose's keys file, and that file's format. */

export * from './caller-keys.ts';
export * from './dev-secrets.ts';
export * from './dev-tls.ts';
export * from './env-file.ts';

/** Local secrets: generated for make dev and docker compose's keys file, and that file's format. */
export * from './dev-secrets.ts';
export * from './env-file.ts';

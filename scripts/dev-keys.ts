/**
 * Secrets for docker compose or any deployment:
 *
 *   dev-keys                     prints a fresh JWT_PRIVATE_KEYS value (one Ed25519 private JWK)
 *   dev-keys --write-env <path>  writes every secret of commons/src/dev-secrets to <path> as KEY='value'
 *                                lines (env-file.ts), unless the file already holds them all
 *
 * (Not `--env-file`: Node 20 takes that flag for itself wherever it appears on the command line.)
 *
 * The second form is docker compose's one-shot `keys` service (the `keys` stage of
 * sessions/Dockerfile, bundled by scripts/bundle-service.mjs): run on every `up`, it generates the
 * secrets once and leaves them alone afterwards. It prints key names, never values.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { completeSecrets, formatEnvFile, generateDevSecrets, parseEnvFile } from '@lfusys/commons/dev-secrets';

async function readIfPresent(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

async function writeEnvFile(path: string): Promise<void> {
  const { values, generated } = await completeSecrets(parseEnvFile(await readIfPresent(path)), generateDevSecrets);
  if (generated) {
    // Written beside the file and renamed over it: a reader sees the old file or the new one, whole.
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, formatEnvFile(values), { mode: 0o600 });
    await rename(temporary, path);
  }
  console.log(`${path}: ${generated ? 'generated' : 'kept'} ${Object.keys(values).join(', ')}`);
}

const args = process.argv.slice(2);
if (args.length === 0) {
  console.log((await generateDevSecrets()).JWT_PRIVATE_KEYS);
} else if (args.length === 2 && args[0] === '--write-env' && args[1]) {
  await writeEnvFile(args[1]);
} else {
  console.error('usage: dev-keys [--write-env <path>]');
  process.exit(2);
}

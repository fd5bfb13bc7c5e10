/**
 * Secrets for docker compose or any deployment:
 *
 *   dev-keys                     prints a fresh JWT_PRIVATE_KEYS value (one Ed25519 private JWK)
 *   dev-keys --write-env <path>  writes every secret of local-secrets.ts to <path> as KEY='value'
 *                                lines (env-file.ts), keeping those the file already holds
 *
 * (Not `--env-file`: Node 20 takes that flag for itself wherever it appears on the command line.)
 *
 * The second form is docker compose's one-shot `keys` service (the `keys` stage of
 * sessions/Dockerfile, bundled by scripts/bundle-service.mjs): run on every `up`, it generates the
 * secrets once and leaves them alone afterwards. It prints key names, never values.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { completeSecrets, formatEnvFile, parseEnvFile } from './env-file.ts';
import { LOCAL_SECRETS } from './local-secrets.ts';

async function readIfPresent(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

async function writeEnvFile(path: string): Promise<void> {
  const { values, added } = await completeSecrets(parseEnvFile(await readIfPresent(path)), LOCAL_SECRETS);
  if (added.length > 0) {
    // Written beside the file and renamed over it: a reader sees the old file or the new one, whole.
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, formatEnvFile(values), { mode: 0o600 });
    await rename(temporary, path);
  }
  const kept = Object.keys(values).filter((key) => !added.includes(key));
  console.log(`${path}: generated ${added.join(', ') || 'nothing'}; kept ${kept.join(', ') || 'nothing'}`);
}

const args = process.argv.slice(2);
if (args.length === 0) {
  console.log(await LOCAL_SECRETS.JWT_PRIVATE_KEYS());
} else if (args.length === 2 && args[0] === '--write-env' && args[1]) {
  await writeEnvFile(args[1]);
} else {
  console.error('usage: dev-keys [--write-env <path>]');
  process.exit(2);
}

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeSecrets, formatEnvFile, parseEnvFile } from '@lfusys/commons/dev-secrets';
import { describe, expect, it } from 'vitest';

/** docker compose's keys file (scripts/env-file.ts): what `keys` writes, the services' sh reads. */

const AWKWARD = {
  JSON_VALUE: '[{"kty":"OKP","d":"a\\\\b"}]',
  QUOTED: "it's 'quoted'",
  SHELLISH: '$HOME `id` $(id) \\n ; # not a comment',
  EMPTY: '',
};

/** What `set -a; . file` puts in the environment of the command it execs. */
function sourcedBySh(text: string): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'keys-file-'));
  const file = join(dir, 'keys.env');
  writeFileSync(file, text);
  const run = spawnSync('sh', ['-c', 'set -a && . "$1" && set +a && exec env -0', 'sh', file], { encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
  expect(run.status, run.stderr).toBe(0);
  return Object.fromEntries(
    run.stdout
      .split('\0')
      .filter(Boolean)
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );
}

describe('the keys file', () => {
  it('reads back exactly what it wrote, quotes and shell syntax included', () => {
    expect(parseEnvFile(formatEnvFile(AWKWARD))).toEqual(AWKWARD);
  });

  it('gives sh the same values: nothing in a value is expanded or run', () => {
    const environment = sourcedBySh(formatEnvFile(AWKWARD));
    for (const [key, value] of Object.entries(AWKWARD)) expect(environment[key], key).toBe(value);
  });

  it('refuses what it cannot write on one line, and a line it did not write', () => {
    expect(() => formatEnvFile({ MULTI: 'a\nb' })).toThrow(/one line/);
    expect(() => formatEnvFile({ 'NOT-A-NAME': 'x' })).toThrow(/variable name/);
    expect(() => parseEnvFile("GOOD='x'\nBAD=unquoted\n")).toThrow(/line 2/);
    expect(parseEnvFile("# comment\n\nGOOD='x'\n")).toEqual({ GOOD: 'x' });
  });
});

describe('completing the secrets', () => {
  const generate = async () => ({ PRIVATE: 'new-private', PUBLIC: 'new-public' });

  it('keeps a file that holds every secret, exactly as it is', async () => {
    const existing = { PRIVATE: 'old-private', PUBLIC: 'old-public', OTHER: 'not ours' };
    expect(await completeSecrets(existing, generate)).toEqual({ values: existing, generated: false });
  });

  it('replaces them all when one is missing or empty: derived secrets never mix with stale ones', async () => {
    const partial: Array<Record<string, string>> = [
      { PRIVATE: 'old-private' },
      { PRIVATE: 'old-private', PUBLIC: '' },
      {},
    ];
    for (const existing of partial) {
      const { values, generated } = await completeSecrets({ ...existing, OTHER: 'not ours' }, generate);
      expect(generated).toBe(true);
      expect(values).toEqual({ PRIVATE: 'new-private', PUBLIC: 'new-public', OTHER: 'not ours' });
    }
  });
});

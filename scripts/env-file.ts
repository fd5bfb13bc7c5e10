/**
 * The secrets file of docker compose: one `KEY='value'` line per secret, written by the one-shot
 * `keys` service and read by every service's entrypoint with `set -a; . /keys/keys.env` before it
 * execs node. Inside single quotes a POSIX shell takes every character literally except the quote
 * itself (POSIX.1-2017 Shell Command Language §2.2.2), so JSON's double quotes, `$` and backslashes
 * survive; a quote in a value is written `'\''` (close, escaped quote, reopen).
 */

/** What a secret is made from: the values made (or kept) before it, so one may derive from another. */
export type SecretGenerator = (values: Readonly<Record<string, string>>) => string | Promise<string>;

const LINE = /^([A-Za-z_][A-Za-z0-9_]*)='((?:[^']|'\\'')*)'$/;

/** The file's text: the keys in the given order, each value single-quoted for sh, one line each. */
export function formatEnvFile(values: Readonly<Record<string, string>>): string {
  return Object.entries(values)
    .map(([key, value]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`${key} is not a variable name`);
      if (/[\r\n]/.test(value)) throw new Error(`${key}: a value must fit on one line`);
      return `${key}='${value.replaceAll("'", "'\\''")}'\n`;
    })
    .join('');
}

/**
 * Reads a file written by formatEnvFile (blank lines and `#` comments allowed). Any other line is
 * an error: a damaged file must stop the `keys` service, not be replaced by fresh keys silently.
 */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) throw new Error(`line ${index + 1} is not KEY='value'`);
    values[match[1] as string] = (match[2] as string).replaceAll("'\\''", "'");
  }
  return values;
}

/**
 * Every secret of `generators`, keeping the values `existing` already has (an `up` must not rotate
 * the signing key and sign everyone out) and generating only the missing ones, in the generators'
 * order. Keys of `existing` that no generator names are kept too.
 */
export async function completeSecrets(
  existing: Readonly<Record<string, string>>,
  generators: Readonly<Record<string, SecretGenerator>>,
): Promise<{ values: Record<string, string>; added: string[] }> {
  const values: Record<string, string> = { ...existing };
  const added: string[] = [];
  for (const [key, generate] of Object.entries(generators)) {
    if (values[key] !== undefined && values[key] !== '') continue;
    values[key] = await generate(values);
    added.push(key);
  }
  return { values, added };
}

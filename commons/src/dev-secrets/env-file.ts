/**
 * The secrets file of docker compose: one `KEY='value'` line per secret, written by the one-shot
 * `keys` service and read by every service's entrypoint with `set -a; . /keys/keys.env` before it
 * execs node. Inside single quotes a POSIX shell takes every character literally except the quote
 * itself (POSIX.1-2017 Shell Command Language §2.2.2), so JSON's double quotes, `$` and backslashes
 * survive; a quote in a value is written `'\''` (close, escaped quote, reopen).
 */

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
 * The secrets to use: those already in the file when it holds every one `generate` makes (an `up`
 * must not rotate the signing key and sign everyone out), else a whole fresh set. Never a mix:
 * some secrets derive from others (a public key from its private key, a certificate from its
 * CA), so a file missing one of them gets them all anew. Keys the generator does not make are kept.
 */
export async function completeSecrets<T extends { [K in keyof T]: string }>(
  existing: Readonly<Record<string, string>>,
  generate: () => Promise<T>,
): Promise<{ values: Record<string, string>; generated: boolean }> {
  const fresh: Record<string, string> = await generate();
  const complete = Object.keys(fresh).every((key) => (existing[key] ?? '') !== '');
  return complete
    ? { values: { ...existing }, generated: false }
    : { values: { ...existing, ...fresh }, generated: true };
}

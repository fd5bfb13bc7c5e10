import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './support/hcl.ts';

/**
 * Workspaces meet only through package names (DESIGN.md §1): a file never reaches into another
 * workspace's folder by a relative path (`../../gateway/src/config.ts`), and no import names a
 * package's `src/` (`@lfusys/gateway/src/…`); what a package shares, its package.json exports.
 */
const FOLDERS = [
  'commons',
  'proto',
  'gateway',
  'sessions',
  'uploads',
  'frontend',
  'testkit',
  'e2e',
  'infra',
  'bench',
  'scripts',
];
const SKIP = new Set(['node_modules', 'dist', 'gen', '.local']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIP.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mts|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/**
 * Module specifiers in `from '…'` and `import('…')`, and source files named in
 * `new URL('….ts', import.meta.url)` (how a process entry point is found); other URLs name data.
 */
function specifiers(code: string): string[] {
  const patterns = [
    /\bfrom\s+'([^']+)'/g,
    /\bimport\(\s*'([^']+)'\s*\)/g,
    /new URL\(\s*'([^']+\.(?:ts|tsx|mjs))',\s*import\.meta\.url/g,
  ];
  return patterns.flatMap((pattern) => [...code.matchAll(pattern)].map((m) => m[1] as string));
}

describe('workspace boundaries', () => {
  const files = FOLDERS.flatMap((folder) => sourceFiles(join(root, folder)).map((file) => ({ folder, file })));

  it('finds the sources it checks', () => {
    expect(files.length).toBeGreaterThan(300);
  });

  it('no file reaches into another workspace by a relative path, or into a package’s src/ by name', () => {
    const crossings = files.flatMap(({ folder, file }) =>
      specifiers(readFileSync(file, 'utf8'))
        .filter((spec) => {
          if (/^@lfusys\/[^/]+\/src\//.test(spec)) return true;
          if (!spec.startsWith('.')) return false;
          const target = relative(root, resolve(dirname(file), spec));
          return target.split(sep)[0] !== folder;
        })
        .map((spec) => `${relative(root, file)} → ${spec}`),
    );
    expect(crossings).toEqual([]);
  });
});

#!/usr/bin/env node
/**
 * Bundles one service into a single ESM file for its container image:
 *
 *   node scripts/bundle-service.mjs <gateway|sessions|uploads|bootstrap|dev-keys>
 *
 * writes `<ws>/dist/main.mjs` (+ `main.mjs.map`) from `<ws>/src/main.ts` (the one-shots of docker
 * compose: `scripts/<name>.ts` → `scripts/dist/<name>/<name>.mjs`), for a service also
 * `dist/telemetry.mjs`, the tracing preload (`node --import ./dist/telemetry.mjs dist/main.mjs`), and
 * next to them `dist/node_modules/` with the packages the bundles leave external, plus their
 * production dependencies, copied from the installed node_modules (so the versions are the
 * lockfile's). The runtime image needs nothing but that `dist/` directory.
 *
 * Externals are the packages esbuild cannot bundle correctly; each was found by running the bundle:
 * a native addon, or code that reads files relative to its own `__dirname` (undefined in an ESM
 * bundle, and the files would not be there anyway). Only those the bundle actually imports are
 * shipped (esbuild's metafile says which).
 */
import { cpSync, existsSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const EXTERNALS = {
  // Native addon (node-gyp-build loads build/Release/*.node or prebuilds/ next to its own file).
  argon2: 'native addon',
  // Serves swagger-ui's assets from path.join(__dirname, '../static') and reads static/logo.svg.
  '@fastify/swagger-ui': 'reads its static/ directory through __dirname',
  // Loads proto/health/v1/health.proto through __dirname at import time.
  'grpc-health-check': 'loads its .proto file through __dirname at import time',
  // With a TTY on stdout the logger uses a pino-pretty transport: a worker thread started from
  // pino's lib/worker.js (through __dirname) that require()s pino-pretty by name.
  pino: 'transports run lib/worker.js through __dirname in a worker thread',
  // OpenTelemetry patches a library as Node loads it (require-in-the-middle, import-in-the-middle):
  // a copy inlined in the bundle is never loaded, so never traced. Fastify and fetch need nothing
  // (they publish diagnostics channels); these do.
  '@grpc/grpc-js': 'patched as it loads by @opentelemetry/instrumentation-grpc (client and server spans)',
  '@smithy/core': "patched as it loads by @opentelemetry/instrumentation-aws-sdk (the AWS SDK clients' send)",
};

/** Loaded by name at run time, which esbuild cannot see: shipped when the key is. */
const RUNTIME_COMPANIONS = { pino: ['pino-pretty'] };

/** Left out of the bundle and NOT shipped: reached only by code paths that never run in an image. */
const NEVER_AT_RUNTIME = {
  // commons/local-aws startEmulator() imports it dynamically to start LocalStack in tests.
  testcontainers: 'test-only emulator launcher (dynamic import in commons/local-aws)',
};

/** Bundled files that mention __dirname, each checked to be harmless in the bundle. */
const DIRNAME_REVIEWED = {
  '@fastify/swagger/lib/util/read-package-json.js': 'in try/catch; only defaults info.title/version, which we set',
};

const TARGETS = {
  gateway: { entry: 'gateway/src/main.ts', outfile: 'gateway/dist/main.mjs', traced: true },
  sessions: { entry: 'sessions/src/main.ts', outfile: 'sessions/dist/main.mjs', traced: true },
  uploads: { entry: 'uploads/src/main.ts', outfile: 'uploads/dist/main.mjs', traced: true },
  // Each in its own directory: a bundle's directory is emptied before it is written.
  bootstrap: { entry: 'scripts/bootstrap.ts', outfile: 'scripts/dist/bootstrap/bootstrap.mjs', traced: false },
  'dev-keys': { entry: 'scripts/dev-keys.ts', outfile: 'scripts/dist/dev-keys/dev-keys.mjs', traced: false },
};

/** The tracing preload (commons/src/telemetry/register.ts); it loads the SDK only when tracing is on. */
const TELEMETRY_ENTRY = 'commons/src/telemetry/register.ts';

const name = process.argv[2];
const target = TARGETS[name];
if (!target) {
  console.error(`usage: node scripts/bundle-service.mjs <${Object.keys(TARGETS).join('|')}>`);
  process.exit(2);
}

const outfile = join(root, target.outfile);
const outdir = dirname(outfile);
rmSync(outdir, { recursive: true, force: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: [join(root, target.entry)],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  // Keep class and function names (error names, fastify plugin names) through renaming.
  keepNames: true,
  external: [...Object.keys(EXTERNALS), ...Object.keys(NEVER_AT_RUNTIME)],
  // CommonJS dependencies call require(); an ESM file has none unless we make one.
  banner: {
    js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  },
  metafile: true,
  logLevel: 'warning',
});

// Which external packages does the bundle import? (Subpaths like `pino/file` count as `pino`.)
const packageOf = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
const imported = new Set();
for (const output of Object.values(result.metafile.outputs)) {
  for (const imp of output.imports) {
    if (!imp.external || isBuiltin(imp.path)) continue;
    const pkg = packageOf(imp.path);
    if (pkg in EXTERNALS) imported.add(pkg);
    else if (pkg in NEVER_AT_RUNTIME) continue;
    else if (findPackage(pkg, root)) {
      console.error(`unexpected external import ${imp.path}`);
      process.exit(1);
    } else {
      // esbuild leaves a require() it cannot resolve inside try/catch as is: an optional
      // dependency that is not installed (e.g. debug's supports-color), absent at run time too.
      console.warn(`note: optional ${imp.path} is not installed and stays unresolved`);
    }
  }
}
for (const pkg of [...imported]) for (const extra of RUNTIME_COMPANIONS[pkg] ?? []) imported.add(extra);

// The tracing preload keeps every package external: the SDK and its import-in-the-middle loader
// hook must be the node_modules copies the hook's wrapper modules import, not inlined ones.
if (target.traced) {
  const preload = await build({
    absWorkingDir: root,
    entryPoints: [join(root, TELEMETRY_ENTRY)],
    outfile: join(outdir, 'telemetry.mjs'),
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    metafile: true,
    logLevel: 'warning',
  });
  for (const output of Object.values(preload.metafile.outputs))
    for (const imp of output.imports) if (imp.external && !isBuiltin(imp.path)) imported.add(packageOf(imp.path));
}

// Anything bundled that still refers to __dirname/__filename would throw (or look in the wrong
// place) in the ESM bundle: report it unless it was reviewed and found harmless.
for (const input of Object.keys(result.metafile.inputs)) {
  const file = join(root, input);
  if (!existsSync(file) || !/\.[cm]?js$/.test(file)) continue;
  const reviewed = Object.keys(DIRNAME_REVIEWED).some((suffix) => input.endsWith(suffix));
  if (!reviewed && /\b__(dirname|filename)\b/.test(readFileSync(file, 'utf8')))
    console.warn(`warning: bundled ${input} uses __dirname/__filename: check it, or make its package external`);
}

// Copy the externals and their production dependencies into dist/node_modules, resolving each
// dependency the way Node would from the package that needs it (nested copies where versions differ).
const shipped = new Map(); // destination dir -> source dir
function findPackage(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dir === dirname(dir)) return undefined;
  }
}
function ship(name, fromSource, intoDest, optional) {
  if (name.startsWith('@types/')) return; // declarations only (protobufjs lists @types/node)
  const source = findPackage(name, fromSource);
  if (!source) {
    if (optional) return;
    throw new Error(`cannot find ${name} (needed from ${relative(root, fromSource) || '.'})`);
  }
  // Node looks in intoDest/node_modules, then in each parent's: the first copy it would find must
  // be this one. None yet: put it at the top; another version found first: nest it in the dependent.
  let dest = join(outdir, 'node_modules', name);
  for (let dir = intoDest; dir === outdir || dir.startsWith(`${outdir}/`); dir = dirname(dir)) {
    const visible = join(dir, 'node_modules', name);
    if (!shipped.has(visible)) continue;
    if (shipped.get(visible) === source) return;
    dest = join(intoDest, 'node_modules', name);
    break;
  }
  shipped.set(dest, source);
  cpSync(source, dest, {
    recursive: true,
    dereference: true,
    filter: (src) => !relative(source, src).split(/[\\/]/).includes('node_modules'),
  });
  const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8'));
  for (const dep of Object.keys(manifest.dependencies ?? {})) ship(dep, source, dest, false);
  for (const dep of Object.keys(manifest.optionalDependencies ?? {})) ship(dep, source, dest, true);
}
const wsDir = join(root, dirname(dirname(target.entry)));
for (const pkg of [...imported].sort()) ship(pkg, wsDir, outdir, false);

const kib = (n) => `${Math.round(n / 1024)} KiB`;
const bundleBytes = result.metafile.outputs[relative(root, outfile)]?.bytes ?? 0;
console.log(
  `${name}: ${relative(root, outfile)} (${kib(bundleBytes)}); external packages shipped: ${
    shipped.size ? [...shipped.keys()].map((d) => relative(join(outdir, 'node_modules'), d)).join(', ') : 'none'
  }`,
);

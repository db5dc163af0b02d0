// Where the compiled CLI lives, and the build that makes it. TypeScript is compiled once, with esbuild,
// into dist/ (at `npm ci` through `prepare`, or here when src/ changed since): running `purse` never
// compiles anything unless the source is newer than the build. Kept tiny and dependency-free, because
// bin/purse.js imports it on every start; esbuild is loaded only when a build is needed.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const SRC = join(ROOT, 'src');
/** Names the current entry file (chunk names are content-hashed, so a rebuild never rewrites a file a running process may still load). */
const STAMP = join(DIST, 'ENTRY');
const LOCK = join(ROOT, '.dist-lock');
const LOCK_WAIT_MS = 60_000;
const LOCK_STALE_MS = 120_000;
const LOCK_POLL_MS = 50;
const INPUTS = [join(ROOT, 'package.json'), join(ROOT, 'package-lock.json')];

/** The compiled entry point, building it first when it is missing or older than the source. */
export async function distEntry() {
  if (!isStale()) return join(DIST, readFileSync(STAMP, 'utf8').trim());
  await withLock(async () => {
    if (isStale()) await build({ clean: false });
  });
  return join(DIST, readFileSync(STAMP, 'utf8').trim());
}

function isStale() {
  let builtMs;
  try {
    builtMs = statSync(STAMP).mtimeMs;
  } catch {
    return true;
  }
  // A deployed image may ship dist/ without src/: nothing to compare against.
  if (!existsSync(SRC)) return false;
  return newestMtimeMs(SRC) > builtMs || INPUTS.some((file) => existsSync(file) && statSync(file).mtimeMs > builtMs);
}

function newestMtimeMs(dir) {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtimeMs(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Several processes may start at once (tests do): one builds, the others wait for it. */
async function withLock(work) {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (existsSync(LOCK) && Date.now() - statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs > LOCK_STALE_MS) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`purse: timed out waiting for another build (remove ${LOCK} if no build is running)`);
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }
  try {
    await work();
  } finally {
    rmdirSync(LOCK);
  }
}

/**
 * Bundles src/main.ts into dist/ as ES modules with code splitting: each command's implementation is a
 * separate chunk loaded on use, so `purse --help` loads only the command table. Packages stay external.
 */
export async function build({ clean }) {
  const { build: esbuild } = await import('esbuild');
  if (clean) rmSync(DIST, { recursive: true, force: true });
  const result = await esbuild({
    absWorkingDir: ROOT,
    entryPoints: ['src/main.ts'],
    outdir: DIST,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.9',
    packages: 'external',
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  const entry = Object.entries(result.metafile.outputs).find(([, output]) => output.entryPoint === 'src/main.ts');
  writeFileSync(STAMP, `${entry[0].split('/').pop()}\n`);
}

// `node bin/dist.js` (npm run build / prepare): a clean build.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await build({ clean: true });
}

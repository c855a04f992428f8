/**
 * The Debian packages some suites need (Chromium for the e2e tests; Python's numpy, torch, Pillow and
 * onnx for the export tests), which of them are missing, and whether `npm test` may install them itself
 * with apt-get (as root on Debian, as Playwright's `install --with-deps` does) — see scripts/test.ts.
 * A missing package never fails a test: the tests that need it are skipped with a one-line reason.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { DEBIAN_PACKAGE, PYTHON } from '../src/export/python-testing';

/** Where Playwright finds Chromium (playwright.config.ts reads the same variable). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface SystemPackage {
  /** The Debian package. */
  pkg: string;
  /** Which tests need it, for the messages. */
  neededBy: string;
  /** Whether the e2e suite needs it (the others are needed by Vitest suites). */
  e2e: boolean;
  /** Whether it is there now (checked afresh on every call). */
  present: () => boolean;
}

/** Whether Debian's Python imports a module (a fresh interpreter every time: nothing is cached). */
function imports(module: string): boolean {
  return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore', timeout: 120_000 }).status === 0;
}

export const SYSTEM_PACKAGES: SystemPackage[] = [
  { pkg: 'chromium', neededBy: `the e2e tests (Debian's Chromium at ${CHROMIUM})`, e2e: true, present: () => existsSync(CHROMIUM) },
  { pkg: 'python3', neededBy: `the export tests that run Python (${PYTHON})`, e2e: false, present: () => existsSync(PYTHON) },
  { pkg: DEBIAN_PACKAGE.numpy!, neededBy: "the Keras and PyTorch export tests (Python's numpy)", e2e: false, present: () => imports('numpy') },
  { pkg: DEBIAN_PACKAGE.torch!, neededBy: "the PyTorch export tests (Python's torch)", e2e: false, present: () => imports('torch') },
  { pkg: DEBIAN_PACKAGE.PIL!, neededBy: "train.py's image-folder test (Python's PIL, Pillow)", e2e: false, present: () => imports('PIL') },
  { pkg: DEBIAN_PACKAGE.onnx!, neededBy: "the ONNX export tests (Python's onnx, for onnx.checker)", e2e: false, present: () => imports('onnx') },
];

export interface AptContext {
  /** process.getuid() where there is one. */
  uid: number | undefined;
  /** Whether apt-get can be run. */
  hasAptGet: boolean;
  /** LAYERLAB_NO_APT=1 forbids installing. */
  env: Record<string, string | undefined>;
}

/** Whether `npm test` may install system packages, or why not (one phrase). */
export function aptAllowed(ctx: AptContext): { ok: true } | { ok: false; why: string } {
  if (ctx.env.LAYERLAB_NO_APT === '1') return { ok: false, why: 'LAYERLAB_NO_APT=1' };
  if (ctx.uid !== 0) return { ok: false, why: 'not root' };
  if (!ctx.hasAptGet) return { ok: false, why: 'no apt-get' };
  return { ok: true };
}

export function currentAptContext(): AptContext {
  return {
    uid: process.getuid?.(),
    hasAptGet: spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0,
    env: process.env,
  };
}

/** The one-line reason printed for a package that is still missing. */
export function skipLine(p: Pick<SystemPackage, 'pkg' | 'neededBy'>): string {
  return `skipped: ${p.neededBy} — apt-get install -y ${p.pkg}`;
}

/**
 * Installs the missing packages with apt-get (update, then one install), printing what and why.
 * Returns whether apt-get succeeded; a failure is reported and the tests that need them skip.
 */
export function aptInstall(missing: readonly SystemPackage[], log: (line: string) => void = console.log): boolean {
  if (!missing.length) return true;
  const pkgs = missing.map((p) => p.pkg);
  log(`Installing what the tests need with apt-get: ${pkgs.join(' ')}`);
  for (const p of missing) log(`  ${p.pkg}: for ${p.neededBy}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const opts = { stdio: 'inherit' as const, env };
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  const update = spawnSync('apt-get', [...lock, 'update', '-qq'], opts);
  if (update.status !== 0) log(`apt-get update failed (exit ${update.status ?? update.signal}); trying the install anyway`);
  const install = spawnSync('apt-get', [...lock, 'install', '-y', '-qq', '--no-install-recommends', ...pkgs], opts);
  if (install.status !== 0) {
    log(`apt-get install failed (exit ${install.status ?? install.signal}): the tests that need ${pkgs.join(', ')} will be skipped`);
    return false;
  }
  return true;
}

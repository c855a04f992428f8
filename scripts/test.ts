/**
 * `npm test`: every suite (Vitest unit tests, then Playwright e2e in Debian's Chromium), with one
 * closing line `N passed, N failed` that adds them all up. Each runner writes a JSON report that
 * this script reads; a runner that crashes before reporting counts as a failure.
 * Extra arguments are passed to both runners' file filters, e.g. `npm test -- presets`.
 *
 * Some suites need Debian packages (Chromium; Python's numpy, torch, Pillow: scripts/system-packages.ts).
 * Before the suites run, the missing ones are installed with apt-get when that is possible (root,
 * apt-get present, LAYERLAB_NO_APT not 1), printing what and why. Whatever is still missing is named
 * with its install command; the tests that need it are skipped (each says so), and without Chromium
 * the e2e suite is skipped as a whole. A missing system package never fails a test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { aptAllowed, aptInstall, currentAptContext, skipLine, SYSTEM_PACKAGES } from './system-packages';

/** The runners' JSON reports (LAYERLAB_REPORTS moves them, e.g. for a test of this script). */
const reports = process.env.LAYERLAB_REPORTS ?? '.reports';
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });
const extra = process.argv.slice(2);
const wantE2e = existsSync('e2e') && process.env.LAYERLAB_SKIP_E2E !== '1';

// System packages: install what is missing where we may, then name what is still missing.
const needed = SYSTEM_PACKAGES.filter((p) => wantE2e || !p.e2e);
let missing = needed.filter((p) => !p.present());
if (missing.length) {
  const apt = aptAllowed(currentAptContext());
  if (apt.ok) {
    aptInstall(missing);
    missing = missing.filter((p) => !p.present());
  } else {
    console.log(`Missing system packages: ${missing.map((p) => p.pkg).join(' ')} (${apt.why}: not installing them).`);
  }
  for (const p of missing) console.log(skipLine(p));
}
const chromiumMissing = missing.find((p) => p.e2e);

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

function run(name: string, cmd: string, args: string[], env: Record<string, string> = {}): number {
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

function readJson(path: string): any {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

const vitestReport = join(reports, 'vitest.json');
const vitestStatus = run('unit tests (Vitest)', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestReport}`, ...extra]);
const v = readJson(vitestReport);
const unit: Counts = v
  ? { passed: v.numPassedTests ?? 0, failed: (v.numFailedTests ?? 0) + (vitestStatus !== 0 && !v.numFailedTests ? 1 : 0), skipped: (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0) }
  : { passed: 0, failed: 1, skipped: 0 };

const e2e: Counts = { passed: 0, failed: 0, skipped: 0 };
if (wantE2e && chromiumMissing) {
  console.log(`\n=== end-to-end tests (Playwright, Chromium): ${skipLine(chromiumMissing)}`);
} else if (wantE2e) {
  const pwReport = join(reports, 'playwright.json');
  const pwStatus = run('end-to-end tests (Playwright, Chromium)', 'npx', ['playwright', 'test', ...extra], { PLAYWRIGHT_JSON_OUTPUT_NAME: pwReport });
  const p = readJson(pwReport);
  if (p?.stats) {
    e2e.passed = (p.stats.expected ?? 0) + (p.stats.flaky ?? 0);
    e2e.failed = p.stats.unexpected ?? 0;
    e2e.skipped = p.stats.skipped ?? 0;
    if (pwStatus !== 0 && e2e.failed === 0 && !(extra.length && e2e.passed === 0)) e2e.failed = 1;
  } else if (pwStatus !== 0) {
    e2e.failed = 1;
  }
}

const passed = unit.passed + e2e.passed;
const failed = unit.failed + e2e.failed;
const skipped = unit.skipped + e2e.skipped;
const e2eSummary = wantE2e && chromiumMissing ? 'skipped (no Chromium)' : `${e2e.passed} passed, ${e2e.failed} failed`;
console.log(`\nunit: ${unit.passed} passed, ${unit.failed} failed; e2e: ${e2eSummary}`);
for (const p of missing) console.log(skipLine(p));
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);

/**
 * What `npm test` does about missing system packages: when it may install them with apt-get, the
 * one-line reasons it prints, and (running scripts/test.ts for real, with Chromium pointed at a path
 * that does not exist and apt-get forbidden) that it skips the e2e suite with a reason and still ends
 * with the `N passed, N failed` line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aptAllowed, skipLine, SYSTEM_PACKAGES } from './system-packages';

describe('system packages', () => {
  it('installs only as root, with apt-get, and not when LAYERLAB_NO_APT=1', () => {
    expect(aptAllowed({ uid: 0, hasAptGet: true, env: {} })).toEqual({ ok: true });
    expect(aptAllowed({ uid: 0, hasAptGet: true, env: { CI: '1' } })).toEqual({ ok: true });
    expect(aptAllowed({ uid: 1000, hasAptGet: true, env: {} })).toEqual({ ok: false, why: 'not root' });
    expect(aptAllowed({ uid: undefined, hasAptGet: true, env: {} })).toEqual({ ok: false, why: 'not root' });
    expect(aptAllowed({ uid: 0, hasAptGet: false, env: {} })).toEqual({ ok: false, why: 'no apt-get' });
    expect(aptAllowed({ uid: 0, hasAptGet: true, env: { LAYERLAB_NO_APT: '1' } })).toEqual({ ok: false, why: 'LAYERLAB_NO_APT=1' });
  });

  it('covers Chromium, Python, numpy, torch, Pillow and onnx, each with a one-line reason naming its install command', () => {
    expect(SYSTEM_PACKAGES.map((p) => p.pkg)).toEqual(['chromium', 'python3', 'python3-numpy', 'python3-torch', 'python3-pil', 'python3-onnx']);
    expect(SYSTEM_PACKAGES.filter((p) => p.e2e).map((p) => p.pkg)).toEqual(['chromium']);
    const chromium = SYSTEM_PACKAGES[0]!;
    expect(chromium.present()).toBe(existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'));
    expect(skipLine(chromium)).toMatch(/^skipped: the e2e tests \(Debian's Chromium at \S+\) — apt-get install -y chromium$/);
    expect(skipLine(SYSTEM_PACKAGES[4]!)).toBe("skipped: train.py's image-folder test (Python's PIL, Pillow) — apt-get install -y python3-pil");
    const onnx = SYSTEM_PACKAGES[5]!;
    expect(skipLine(onnx)).toBe("skipped: the ONNX export tests (Python's onnx, for onnx.checker) — apt-get install -y python3-onnx");
    expect(onnx.present()).toBe(existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0);
  });

  it('npm test without Chromium (and no apt-get allowed) skips the e2e suite with its reason and still ends with the totals line', () => {
    const reports = mkdtempSync(join(tmpdir(), 'layerlab-reports-'));
    try {
      const r = spawnSync('npx', ['tsx', 'scripts/test.ts', 'src/export/python-testing.test.ts'], {
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium', LAYERLAB_NO_APT: '1', LAYERLAB_REPORTS: reports, LAYERLAB_SKIP_E2E: '' },
      });
      const out = r.stdout;
      expect(out).toMatch(/Missing system packages: chromium.* \(LAYERLAB_NO_APT=1: not installing them\)\./);
      expect(out).toContain("=== end-to-end tests (Playwright, Chromium): skipped: the e2e tests (Debian's Chromium at /nonexistent/chromium) — apt-get install -y chromium");
      expect(out).not.toContain('npx playwright test');
      expect(out).toMatch(/e2e: skipped \(no Chromium\)/);
      const last = out.trim().split('\n').at(-1);
      expect(last, out + r.stderr).toMatch(/^3 passed, 0 failed$/);
      expect(r.status).toBe(0);
    } finally {
      rmSync(reports, { recursive: true, force: true });
    }
  }, 150_000);
});

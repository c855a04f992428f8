/**
 * Helpers for the export tests that run Python (tests only: imports tfjs and Node APIs).
 * Debian's PyTorch is used through /usr/bin/python3: `python3` on PATH may be another interpreter
 * that cannot see it (see DESIGN.md, "Python on these machines").
 *
 * Each test that runs Python guards itself with `pythonWith([...the modules it imports])`: on a
 * machine without them (a fresh Debian has /usr/bin/python3 but no numpy, torch or Pillow) it is
 * skipped with a one-line reason naming the apt-get command, never failed. `npm test` installs
 * them first where it can (scripts/system-packages.ts).
 */
import type * as tfjs from '@tensorflow/tfjs';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { mulberry32 } from '../training/data/rng';
import { fans } from '../training/init';
import type { NamedWeight } from './types';

export const PYTHON = '/usr/bin/python3';

/** The Debian package that gives /usr/bin/python3 each module the tests import. */
export const DEBIAN_PACKAGE: Record<string, string> = { numpy: 'python3-numpy', torch: 'python3-torch', PIL: 'python3-pil', onnx: 'python3-onnx' };

/** Whether the tests that need these Python modules can run, and if not why, with the command that mends it. */
export type PythonCheck = { ok: true } | { ok: false; reason: string };

const importable = new Map<string, boolean>();

/** The modules /usr/bin/python3 cannot import (all of them when there is no interpreter). */
export function missingPythonModules(modules: readonly string[]): string[] {
  if (!existsSync(PYTHON)) return [...modules];
  return modules.filter((m) => {
    if (!importable.has(m)) importable.set(m, spawnSync(PYTHON, ['-c', `import ${m}`], { stdio: 'ignore', timeout: 60_000 }).status === 0);
    return !importable.get(m);
  });
}

/**
 * Whether Debian's Python exists and can import exactly these modules (say, `['torch', 'numpy']`).
 * When not, `reason` is one line naming what is missing and the apt-get command that installs it,
 * e.g. "skipped: needs Python's numpy — apt-get install -y python3-numpy".
 */
export function pythonWith(modules: readonly string[]): PythonCheck {
  if (!existsSync(PYTHON)) {
    const pkgs = ['python3', ...modules.map((m) => DEBIAN_PACKAGE[m] ?? m)];
    return { ok: false, reason: `skipped: needs ${PYTHON}${modules.length ? ` with ${modules.join(', ')}` : ''} — apt-get install -y ${pkgs.join(' ')}` };
  }
  const missing = missingPythonModules(modules);
  if (!missing.length) return { ok: true };
  return { ok: false, reason: `skipped: needs Python's ${missing.join(', ')} — apt-get install -y ${missing.map((m) => DEBIAN_PACKAGE[m] ?? m).join(' ')}` };
}

/**
 * Whether /usr/bin/python3 has Python's `onnx` (Debian's python3-onnx, 1.12), for the tests that run
 * `onnx.checker.check_model` on exported files; when not, the reason names `apt-get install -y python3-onnx`.
 */
export function pythonHasOnnx(): PythonCheck {
  return pythonWith(['onnx']);
}

/**
 * A suite or test title that carries the skip reason, which is also printed once on stderr so that
 * the runner's output says why (a skipped title alone is easy to miss).
 */
export function titleFor(title: string, check: PythonCheck): string {
  if (check.ok) return title;
  console.warn(`${title}: ${check.reason}`);
  return `${title} (${check.reason})`;
}

/**
 * Sets every weight of the model from a seeded generator: kernels He-uniform for their fan-in,
 * biases small but non-zero, and batch norm with non-trivial gamma, beta and moving statistics,
 * so that every conversion (including the moving mean and variance) shows in the outputs.
 */
export function randomizeWeights(tf: typeof tfjs, model: tfjs.LayersModel, seed: number): void {
  const rng = mulberry32(seed);
  const uniform = (lo: number, hi: number) => lo + (hi - lo) * rng();
  const tensors = model.weights.map((v) => {
    const shape = v.shape as number[];
    const kind = v.originalName.slice(v.originalName.lastIndexOf('/') + 1);
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    let range: [number, number];
    if (kind === 'kernel') {
      const limit = Math.sqrt(6 / fans(shape)[0]);
      range = [-limit, limit];
    } else if (kind === 'depthwise_kernel') {
      const limit = Math.sqrt(6 / (shape[0]! * shape[1]!));
      range = [-limit, limit];
    } else if (kind === 'gamma') range = [0.5, 1.5];
    else if (kind === 'moving_variance') range = [0.5, 2];
    else range = [-0.3, 0.3]; // bias, beta, moving_mean
    for (let i = 0; i < data.length; i++) data[i] = uniform(...range);
    return tf.tensor(data, shape);
  });
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/** The model's weights as the exporters take them: tfjs names ("c1/kernel") and values. */
export function namedWeights(model: tfjs.LayersModel): NamedWeight[] {
  const values = model.getWeights();
  const out = model.weights.map((v, i) => ({ name: v.originalName, shape: [...(v.shape as number[])], data: values[i]!.dataSync() as Float32Array }));
  return out;
}

/** Uniform values in [lo, hi) from a seed. */
export function randomValues(n: number, seed: number, lo: number, hi: number): Float32Array {
  const rng = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng();
  return out;
}

/** Largest absolute difference and largest absolute reference value. */
export function maxAbsDiff(got: Float32Array, want: Float32Array): { diff: number; scale: number } {
  if (got.length !== want.length) throw new Error(`lengths differ: ${got.length} vs ${want.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    if (!(d <= diff)) diff = Number.isNaN(d) ? Infinity : d;
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return { diff, scale };
}

/** What a Python process printed, and its exit code. */
export interface PythonRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs Debian's Python with `args` in `cwd` (one thread, no bytecode files, `env` added), and
 * fails after `timeoutMs` with what it printed so far.
 */
export function runPython(args: string[], cwd: string, opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<PythonRun> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  return new Promise((done, fail) => {
    const child = spawn(PYTHON, args, { cwd, env: { ...process.env, OMP_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1', ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`python ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** A free TCP port on the loopback interface (for MASTER_PORT). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

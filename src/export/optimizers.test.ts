/**
 * The optimizer table's three forms agree: the make_optimizer that the PyTorch export writes
 * (from OPTIMIZER_SPECS) builds, in real PyTorch, optimizers with the hyperparameters that
 * TensorFlow.js' optimizers from makeOptimizer (the same table) have; and the trainer's decoupled
 * weight decay steps as torch.optim.AdamW.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPTIMIZERS } from '../graph/training-settings';
import { decoupledWeightDecay, makeOptimizer, setLearningRate } from '../training/trainer';
import { pythonMakeOptimizer } from './codegraph';
import { PYTHON, pythonWith, runPython, titleFor } from './python-testing';

const PY = pythonWith(['torch']);

describe.skipIf(!PY.ok)(titleFor('make_optimizer in PyTorch', PY), () => {
  it("builds each optimizer with TensorFlow.js' hyperparameters", () => {
    const script = `
import json
import torch
${pythonMakeOptimizer('pytorch')}

out = {}
for name in ${JSON.stringify(OPTIMIZERS)}:
    o = make_optimizer(name, [torch.nn.Parameter(torch.zeros(2))], 0.05)
    g = o.param_groups[0]
    out[name] = {'class': type(o).__name__, **{k: g[k] for k in ('lr', 'momentum', 'alpha', 'eps', 'betas') if k in g}}
try:
    make_optimizer('adagrad', [torch.nn.Parameter(torch.zeros(2))], 0.05)
except SystemExit as e:
    out['refused'] = str(e)
print(json.dumps(out))
`;
    const r = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
    const py = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, Record<string, unknown>>;
    const eps = tf.backend().epsilon();
    for (const name of OPTIMIZERS) {
      const opt = makeOptimizer(tf, { optimizer: name, learningRate: 0.05 });
      const c = opt.getConfig() as Record<string, number>;
      const p = py[name]!;
      expect(p.lr, name).toBeCloseTo(c.learningRate!, 12);
      switch (name) {
        case 'sgd':
          expect(p).toMatchObject({ class: 'SGD', momentum: 0 });
          break;
        case 'momentum':
          expect(p).toMatchObject({ class: 'SGD', momentum: c.momentum });
          break;
        case 'rmsprop':
          expect(p).toMatchObject({ class: 'RMSprop', alpha: c.decay, momentum: c.momentum });
          expect(p.eps).toBeCloseTo(c.epsilon ?? eps, 12);
          break;
        case 'adam':
          expect(p).toMatchObject({ class: 'Adam', betas: [c.beta1, c.beta2] });
          expect(p.eps).toBeCloseTo(c.epsilon ?? eps, 12);
          break;
      }
      opt.dispose();
    }
    expect(String(py.refused)).toBe("unknown optimizer 'adagrad'");
  });
});

describe.skipIf(!PY.ok)(titleFor('decoupled weight decay', PY), () => {
  it('steps as torch.optim.AdamW (lr changing between steps), within 1e-6', async () => {
    const x = [
      [0.2, -1, 0.5],
      [1.5, 0.3, -0.7],
      [-0.4, 0.8, 1.1],
      [0.9, -0.6, 0.1],
    ];
    const y = [
      [1, 0],
      [0, 1],
      [0.5, -0.5],
      [-1, 2],
    ];
    const w0 = [
      [0.3, -0.2],
      [0.1, 0.4],
      [-0.5, 0.25],
    ];
    const b0 = [0.05, -0.1];
    const lrs = [0.1, 0.05, 0.02, 0.2];
    const wd = 0.3;
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    model.setWeights([tf.tensor2d(w0), tf.tensor1d(b0)]);
    // β2 = 1 − 2⁻⁹, exact in float32: tfjs computes Adam's bias correction 1 − β2^t in float32, where
    // 0.999 is 0.99900001 and the correction is off by 1.3e-5 relative (≈ 3e-6 here, with or without
    // decay); PyTorch computes it in float64.
    const beta2 = 0.998046875;
    const optimizer = tf.train.adam(lrs[0]!, 0.9, beta2);
    model.compile({ optimizer, loss: 'meanSquaredError' });
    const xs = tf.tensor2d(x);
    const ys = tf.tensor2d(y);
    for (const lr of lrs) {
      setLearningRate(optimizer, lr);
      const decayed = decoupledWeightDecay(tf, model, lr, wd);
      await model.trainOnBatch(xs, ys);
      decayed();
    }
    const [w, b] = model.getWeights().map((t) => Array.from(t.dataSync()));
    tf.dispose([xs, ys]);
    model.dispose();

    const dir = mkdtempSync(join(tmpdir(), 'layerlab-adamw-'));
    try {
      writeFileSync(
        join(dir, 'adamw.py'),
        `import json, torch
x = torch.tensor(${JSON.stringify(x)}); y = torch.tensor(${JSON.stringify(y)})
w = torch.tensor(${JSON.stringify(w0)}, requires_grad=True); b = torch.tensor(${JSON.stringify(b0)}, requires_grad=True)
opt = torch.optim.AdamW([w, b], lr=${lrs[0]}, betas=(0.9, ${beta2}), eps=1e-7, weight_decay=${wd})
for lr in ${JSON.stringify(lrs)}:
    for g in opt.param_groups:
        g['lr'] = lr
    opt.zero_grad()
    ((x @ w + b - y) ** 2).mean().backward()
    opt.step()
print(json.dumps([w.detach().flatten().tolist(), b.detach().tolist()]))
`,
      );
      const r = await runPython(['adamw.py'], dir);
      expect(r.code, r.stderr).toBe(0);
      const [tw, tb] = JSON.parse(r.stdout) as [number[], number[]];
      const diff = Math.max(...w!.map((v, i) => Math.abs(v - tw[i]!)), ...b!.map((v, i) => Math.abs(v - tb[i]!)));
      console.log(`AdamW, 4 steps, weight decay ${wd}: largest difference from torch.optim.AdamW ${diff.toExponential(2)}`);
      expect(diff).toBeLessThan(1e-6);
      // And the decay did something: plain Adam ends elsewhere.
      expect(Math.abs(w![0]! - w0[0]![0]!)).toBeGreaterThan(0.1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

/**
 * The optimizer table's three forms agree: the make_optimizer that the PyTorch export writes
 * (from OPTIMIZER_SPECS) builds, in real PyTorch, optimizers with the hyperparameters that
 * TensorFlow.js' optimizers from makeOptimizer (the same table) have.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { OPTIMIZERS } from '../graph/training-settings';
import { makeOptimizer } from '../training/trainer';
import { pythonMakeOptimizer } from './codegraph';
import { PYTHON, pythonWith, titleFor } from './python-testing';

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

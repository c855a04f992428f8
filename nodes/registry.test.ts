import { describe, expect, it } from 'vitest';
import { checkParam, resolveParams } from './params';
import { getNodeDef, NODE_DEFS, NODE_TYPES } from './registry';
import { tfWeights, torchWeights } from './weight-layout';

const PALETTE = [
  'input',
  'conv2d',
  'depthwiseConv2d',
  'conv2dTranspose',
  'maxPooling2d',
  'averagePooling2d',
  'globalAveragePooling2d',
  'globalMaxPooling2d',
  'zeroPadding2d',
  'cropping2D',
  'upSampling2d',
  'batchNormalization',
  'activation',
  'dropout',
  'flatten',
  'dense',
  'add',
  'concatenate',
];

describe('registry', () => {
  it('has the 18 types in palette order', () => {
    expect(NODE_DEFS).toHaveLength(18);
    expect(NODE_TYPES).toEqual(PALETTE);
  });

  it('has unique type names and finds each by name', () => {
    expect(new Set(NODE_TYPES).size).toBe(NODE_TYPES.length);
    for (const def of NODE_DEFS) expect(getNodeDef(def.type)).toBe(def);
    expect(getNodeDef('__proto__')).toBeUndefined();
    expect(getNodeDef('conv3d')).toBeUndefined();
  });

  describe.each(NODE_DEFS.map((d) => [d.type, d] as const))('%s', (_type, def) => {
    it('has a summary, an explanation and a doc for every param', () => {
      expect(def.title.trim()).not.toBe('');
      expect(def.summary.trim()).not.toBe('');
      expect(def.summary).not.toContain('\n');
      expect(def.explain.trim()).not.toBe('');
      for (const [key, spec] of Object.entries(def.params)) {
        expect(spec.doc.trim(), `${def.type}.${key} doc`).not.toBe('');
      }
    });

    it('has defaults that pass its own param checks', () => {
      for (const [key, spec] of Object.entries(def.params)) {
        const check = checkParam(spec, spec.default, key);
        expect(check.ok, `${def.type}.${key} default: ${check.ok ? '' : check.message}`).toBe(true);
      }
    });

    it('has editor initial values that pass the param checks', () => {
      for (const [key, value] of Object.entries(def.initial ?? {})) {
        const spec = def.params[key];
        expect(spec, `${def.type}.initial.${key} is not a param`).toBeDefined();
        const check = checkParam(spec!, value, key);
        expect(check.ok, `${def.type}.initial.${key}: ${check.ok ? '' : check.message}`).toBe(true);
      }
    });

    it('describes itself as Keras and PyTorch code, declaring every weight it has', () => {
      expect(typeof def.keras, `${def.type}.keras`).toBe('function');
      expect(typeof def.pytorch?.module, `${def.type}.pytorch.module`).toBe('function');
      expect(typeof def.pytorch?.forward, `${def.type}.pytorch.forward`).toBe('function');
      // With its default params on a map (two for merges), the tfjs weights the PyTorch export
      // reads add up to the node's parameter count; the generated code is checked against tfjs
      // by src/export/pytorch-parity.test.ts.
      const { params } = resolveParams(def, {});
      const inputs = def.role === 'input' ? [] : def.role === 'merge' ? [[8, 8, 3], [8, 8, 3]] : [[8, 8, 3]];
      const output = def.inferShape(inputs, params as never);
      const ctx = { id: 'n', inputs, output };
      expect(typeof def.keras(params as never, ctx)).toBe('string');
      // Every tfjs weight of the node's layout is read exactly once by its PyTorch tensors.
      const tf = tfWeights(def, inputs, params);
      const torch = torchWeights(def, params, ctx);
      expect(torch.flatMap((w) => (w.tf === undefined ? [] : [w.tf])).sort(), `${def.type}: tfjs weights the PyTorch export reads`).toEqual(tf.map((w) => w.name).sort());
      const declared = torch.filter((w) => w.tf !== undefined).reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
      const count = def.paramCount(inputs, params as never);
      expect(declared, `${def.type}: weights declared for the PyTorch export`).toBe(count.trainable + count.nonTrainable);
    });

    it('has a merge `inputs` int param exactly when it merges', () => {
      const spec = def.params.inputs;
      if (def.role === 'merge') {
        expect(spec?.kind).toBe('int');
        if (spec?.kind === 'int') expect(spec.min).toBeGreaterThanOrEqual(2);
      } else {
        expect(spec).toBeUndefined();
      }
    });
  });
});

describe('the zoomed-out node face', () => {
  it('has no word longer than 10 letters, which would not fit a node at the smallest readable zoom', () => {
    for (const def of NODE_DEFS) {
      const face = def.shortTitle ?? def.title;
      for (const word of face.split(/\s+/)) expect(word.length, `${def.type}: "${face}"`).toBeLessThanOrEqual(10);
    }
  });
});

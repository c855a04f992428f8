import { describe, expect, it } from 'vitest';
import { loadPreset } from '../../fixtures/presets';
import { analyzeGraph } from './analyze';
import { applyFit, dataFitProblems, outputProblem, type FitDataset } from './fit-data';
import type { GraphDoc } from './types';

const problems = (doc: GraphDoc, data: FitDataset) => dataFitProblems(doc, analyzeGraph(doc), data);
/** Applies every fix offered, then checks again. */
const fixAll = (doc: GraphDoc, data: FitDataset) => applyFit(doc, problems(doc, data).flatMap((p) => p.fix ?? []));

const mnist: FitDataset = { name: 'MNIST', shape: [28, 28, 1], classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] };
const shapes: FitDataset = { name: 'Shapes', task: 'classification', shape: [28, 28, 1], classes: ['circle', 'square', 'triangle', 'cross'] };
const masks: FitDataset = { name: 'Shapes with masks', task: 'segmentation', shape: [32, 32, 1], classes: ['background', 'circle', 'square', 'triangle', 'cross'] };
const twoClassMasks: FitDataset = { name: 'Cells', task: 'segmentation', shape: [32, 32, 1], classes: ['background', 'nucleus'] };
const boxes: FitDataset = { name: 'Shapes with boxes', task: 'detection', shape: [32, 32, 1], classes: ['circle', 'square', 'triangle', 'cross'] };

const outShape = (doc: GraphDoc) => {
  const a = analyzeGraph(doc);
  return a.nodes.get(a.outputId!)!.outputShape;
};

describe('dataFitProblems', () => {
  it('finds nothing when a preset meets its own dataset', () => {
    expect(problems(loadPreset('lenet5'), mnist)).toEqual([]);
    expect(problems(loadPreset('unet-mini'), masks)).toEqual([]);
    expect(problems(loadPreset('detector-mini'), boxes)).toEqual([]);
  });

  it('fits a classifier to the classes with the Dense layer, as the Fix it always did', () => {
    const doc = loadPreset('lenet5');
    const found = problems(doc, shapes);
    expect(found.map((p) => p.kind)).toEqual(['output']);
    expect(found[0]!.text).toContain('10 values but the dataset has 4 classes');
    const out = analyzeGraph(doc).outputId!;
    expect(found[0]!.fix).toEqual([{ nodeId: out, param: 'units', value: 4 }]);
    const fixed = fixAll(doc, shapes);
    expect(outShape(fixed)).toEqual([4]);
    expect(problems(fixed, shapes)).toEqual([]);
    // The document given is left as it was.
    expect(outShape(doc)).toEqual([10]);
  });

  it('fits the Input node to the images', () => {
    const doc = loadPreset('lenet5');
    const found = problems(doc, { ...mnist, name: 'Big digits', shape: [32, 32, 1] });
    expect(found[0]).toMatchObject({ kind: 'input', text: 'The Input node is 28×28×1 but Big digits images are 32×32×1.' });
    expect(found[0]!.fix).toEqual([{ nodeId: doc.nodes.find((n) => n.type === 'input')!.id, param: 'shape', value: [32, 32, 1] }]);
  });

  it('says when the tasks differ, fixes it with the task setting, then judges the output for the new task', () => {
    const doc = loadPreset('lenet5');
    const found = problems(doc, masks);
    expect(found.map((p) => p.kind)).toEqual(['task', 'input']);
    expect(found[0]!.text).toBe(
      "This graph's task is classification but Shapes with masks has a mask per image (segmentation): choose a dataset for classification or change the graph's task to segmentation.",
    );
    expect(found[0]!.fix).toEqual([{ nodeId: '', param: 'training.task', value: 'segmentation' }]);
    const fixed = fixAll(doc, masks);
    expect(fixed.training?.task).toBe('segmentation');
    expect(doc.training?.task ?? 'classification').toBe('classification');
    // A classifier's Dense output cannot become a mask by one edit: said, without a fix.
    const after = problems(fixed, masks);
    expect(after.map((p) => p.kind)).toEqual(['output']);
    expect(after[0]!.text).toContain('a mask of this dataset is 32×32 with 5 classes');
    expect(after[0]!.fix).toBeUndefined();
  });

  it('fits a segmentation output: filters to the classes, softmax', () => {
    const doc = loadPreset('unet-mini');
    const out = analyzeGraph(doc).outputId!;
    // Cells has 2 classes: 5 softmax channels do not fit; 2 do.
    const found = problems(doc, twoClassMasks);
    expect(found.map((p) => p.kind)).toEqual(['output']);
    expect(found[0]!.text).toContain('(or 1 filter and sigmoid)');
    expect(found[0]!.fix).toEqual([{ nodeId: out, param: 'filters', value: 2 }]);
    const fixed = fixAll(doc, twoClassMasks);
    expect(outShape(fixed)).toEqual([32, 32, 2]);
    expect(problems(fixed, twoClassMasks)).toEqual([]);
    // One filter with sigmoid is fine as it is for two classes.
    const sigmoid = applyFit(doc, [
      { nodeId: out, param: 'filters', value: 1 },
      { nodeId: out, param: 'activation', value: 'sigmoid' },
    ]);
    expect(problems(sigmoid, twoClassMasks)).toEqual([]);
    // ... but not for five: the fix goes back to 5 filters and softmax.
    const back = problems(sigmoid, masks);
    expect(back[0]!.fix).toEqual([
      { nodeId: out, param: 'filters', value: 5 },
      { nodeId: out, param: 'activation', value: 'softmax' },
    ]);
    expect(problems(fixAll(sigmoid, masks), masks)).toEqual([]);
  });

  it('fits a detection grid: 5 + K filters, linear', () => {
    const doc = loadPreset('detector-mini');
    const two: FitDataset = { ...boxes, classes: ['cat', 'dog'] };
    const found = problems(doc, two);
    expect(found.map((p) => p.kind)).toEqual(['output']);
    expect(found[0]!.text).toContain('needs 7 channels per cell');
    const fixed = fixAll(doc, two);
    expect(outShape(fixed)).toEqual([8, 8, 7]);
    expect(problems(fixed, two)).toEqual([]);
  });

  it('moves a detector to a segmentation set: task first, then the output (no one-edit fix from an 8×8 grid)', () => {
    const doc = loadPreset('detector-mini');
    expect(problems(doc, masks).map((p) => p.kind)).toEqual(['task']);
    const fixed = fixAll(doc, masks);
    const after = problems(fixed, masks);
    expect(after.map((p) => p.kind)).toEqual(['output']);
    expect(after[0]!.text).toContain('The output is 8×8×9');
    expect(after[0]!.fix).toBeUndefined();
  });
});

describe('outputProblem', () => {
  it('accepts exactly the shapes each task needs', () => {
    const data = { shape: [32, 32, 1], classes: ['a', 'b', 'c'] };
    expect(outputProblem('classification', [3], data)).toBeNull();
    expect(outputProblem('classification', [4], data)).not.toBeNull();
    expect(outputProblem('segmentation', [32, 32, 3], data)).toBeNull();
    expect(outputProblem('segmentation', [16, 32, 3], data)).not.toBeNull();
    expect(outputProblem('segmentation', [32, 32, 1], data)).not.toBeNull();
    expect(outputProblem('segmentation', [32, 32, 1], { ...data, classes: ['a', 'b'] })).toBeNull();
    expect(outputProblem('detection', [4, 4, 8], data)).toBeNull();
    expect(outputProblem('detection', [4, 4, 9], data)).not.toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { concatWeightData, describeWeightsOrigin, ModelFileError } from './weights';

describe('weights (the module training and export share)', () => {
  it('words every origin of weights for people, from one typed value', () => {
    expect(describeWeightsOrigin({ kind: 'untrained' })).toBe('untrained (random initial weights)');
    expect(describeWeightsOrigin({ kind: 'untrained', seed: 42 })).toBe('untrained (random initial weights, seed 42)');
    expect(describeWeightsOrigin({ kind: 'trained', epoch: 3, batch: 891, continued: false })).toBe('trained to epoch 3, batch 891');
    expect(describeWeightsOrigin({ kind: 'trained', epoch: 1, batch: 2, continued: true })).toBe('trained to epoch 1, batch 2 of a continued run');
    expect(describeWeightsOrigin({ kind: 'file', name: 'model.zip' })).toBe('loaded from model.zip');
  });

  it('joins weight shards and keeps a single buffer as it is', () => {
    const one = new Uint8Array([1, 2, 3]).buffer;
    expect(concatWeightData(one)).toBe(one);
    expect(concatWeightData([one])).toBe(one);
    expect(new Uint8Array(concatWeightData([one, new Uint8Array([4, 5]).buffer]))).toEqual(new Uint8Array([1, 2, 3, 4, 5]));
    expect(concatWeightData(undefined).byteLength).toBe(0);
  });

  it('ModelFileError is one class wherever it is imported from', async () => {
    const { ModelFileError: fromExport } = await import('../export/model-file-error');
    expect(fromExport).toBe(ModelFileError);
    expect(new ModelFileError('x').name).toBe('ModelFileError');
  });
});

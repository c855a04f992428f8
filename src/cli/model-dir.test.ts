/** readModelDir: what `layerlab export --weights PATH` hands to readModelFiles. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editModelJson, makeModelKit, zipFiles, type ModelKit } from '../../fixtures/bad-models';
import { ModelFileError, readModelFiles, type ModelFileInput } from '../export/open-model';
import { readModelDir } from './model-dir';

const tmp = mkdtempSync(join(tmpdir(), 'layerlab-model-dir-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let kit: ModelKit;
beforeAll(async () => {
  kit = await makeModelKit();
});

let n = 0;
function dirWith(files: ModelFileInput[]): string {
  const dir = join(tmp, `m${n++}`);
  mkdirSync(dir);
  for (const f of files) writeFileSync(join(dir, f.name), f.data);
  return dir;
}
const names = (files: ModelFileInput[]) => files.map((f) => f.name).sort();

describe('readModelDir', () => {
  it('reads model.json, the weights it names and graph.json from a folder, or from the path of model.json', () => {
    const dir = dirWith([...kit.lenet5, { name: 'notes.txt', data: new Uint8Array([1]) }]);
    expect(names(readModelDir(dir))).toEqual(['graph.json', 'model.json', 'weights.bin']);
    expect(names(readModelDir(join(dir, 'model.json')))).toEqual(['graph.json', 'model.json', 'weights.bin']);
    expect(readModelFiles(readModelDir(dir)).graph.name).toBe('LeNet-5');
  });

  it('reads a .zip as it is', () => {
    const dir = dirWith([zipFiles(kit.mlp, 'mlp.zip')]);
    expect(names(readModelDir(join(dir, 'mlp.zip')))).toEqual(['mlp.zip']);
    expect(() => readModelDir(dir)).toThrow(/There is no model\.json in .* \(there is mlp\.zip: pass that file instead\)/);
  });

  it('hands over a single .bin under another name (readModelFiles notes it)', () => {
    const dir = dirWith(kit.lenet5.map((f) => (f.name === 'weights.bin' ? { ...f, name: 'lenet5.weights.bin' } : f)));
    const opened = readModelFiles(readModelDir(dir));
    expect(opened.notes).toEqual(['model.json names weights.bin; lenet5.weights.bin was taken as that file.']);
  });

  it('never reads outside the folder, whatever the manifest says', () => {
    const outside = join(tmp, 'secret.bin');
    writeFileSync(outside, new Uint8Array(4));
    const dir = dirWith(editModelJson(kit.lenet5, (j) => void (j.weightsManifest[0].paths = ['../secret.bin'])).filter((f) => f.name !== 'weights.bin'));
    const files = readModelDir(dir);
    expect(names(files)).toEqual(['graph.json', 'model.json']);
    expect(() => readModelFiles(files)).toThrow(/model\.json names \.\.\/secret\.bin, which is not among the files/);
  });

  it('leaves broken model.json to readModelFiles, and explains missing paths', () => {
    const dir = dirWith([{ name: 'model.json', data: new TextEncoder().encode('{ oops') }]);
    expect(() => readModelFiles(readModelDir(dir))).toThrow(/model\.json is not valid JSON at line 1, column 3/);
    expect(() => readModelDir(join(tmp, 'nope'))).toThrow(ModelFileError);
    expect(() => readModelDir(dirWith([]))).toThrow(/There is no model\.json in .*: pass the folder that `layerlab train --out` wrote, or a model \.zip\./);
  });
});

/**
 * The command-line round trip, `layerlab train --data DIR` → `layerlab predict`, in-process, on a
 * small dataset generated here in each format: class folders (classification), images/ + masks/
 * (segmentation) and YOLO images/ + labels/ + classes.txt (detection). The test computes the
 * scores itself, from the files predict writes (mask PNGs read with fast-png) and the boxes it
 * prints, against the truth it generated, with its own IoU and average precision: they must agree
 * with what train reported on the same test images and be clearly above chance. Also: a graph
 * whose output does not fit the data's classes is refused with words, and --fit adapts it; an
 * image of another size gets its mask and boxes at its own size.
 */
import { decode as decodePng } from 'fast-png';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodePngBytes } from '../labs/png';
import { mulberry32, type Rand } from '../training/data/rng';
import { coverCrop } from './data-folder';
import { maskNames } from './predict';
import { runCli } from './testing';

const root = join(__dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'layerlab-predict-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const lastJson = (out: string) => JSON.parse(out.trim().split('\n').at(-1)!);
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

/** A dark, noisy w×h grey picture (bytes). */
function background(r: Rand, w: number, h: number): Uint8Array {
  return Uint8Array.from({ length: w * h }, () => int(r, 0, 30));
}

function fillRect(px: Uint8Array, w: number, x: number, y: number, rw: number, rh: number, value: (r: Rand) => number, r: Rand, mask?: Uint8Array, cls = 0) {
  for (let j = y; j < y + rh; j++)
    for (let i = x; i < x + rw; i++) {
      px[j * w + i] = value(r);
      if (mask) mask[j * w + i] = cls;
    }
}

/** An image stretched to w1×h1 by whole-pixel repetition (w1, h1 multiples of w, h). */
function repeatPixels(px: Uint8Array, w: number, h: number, w1: number, h1: number): Uint8Array {
  const out = new Uint8Array(w1 * h1);
  for (let y = 0; y < h1; y++) for (let x = 0; x < w1; x++) out[y * w1 + x] = px[Math.floor((y * h) / h1) * w + Math.floor((x * w) / w1)]!;
  return out;
}

/** A graph file of layers in a chain (each [id, type, params]) after a 32×32×1 Input. */
function chainGraph(name: string, layers: [string, string, Record<string, unknown>][], training: Record<string, unknown>): string {
  const nodes = [['image', 'input', { shape: [32, 32, 1] }] as const, ...layers].map(([id, type, params], i) => ({ id, type, params, position: [i * 280, 0] }));
  const edges = nodes.slice(1).map((n, i) => ({ from: [nodes[i]!.id, 'out'], to: [n.id, 'in'] }));
  const file = join(tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify({ format: 'layerlab-graph', version: 1, name, nodes, edges, training }));
  return file;
}

// Two object classes told apart by brightness: "bright" (230–255) and "grey" (110–140).
const BRIGHT = (r: Rand) => int(r, 230, 255);
const GREY = (r: Rand) => int(r, 110, 140);

describe('predict helpers', () => {
  it('coverCrop keeps the centre with the aspect ratio of the Input, as the browser draws it', () => {
    // a 6×2 grey picture, columns 0…5: a 2×2 Input keeps columns 2 and 3
    const p = { width: 6, height: 2, channels: 1, data: Uint8Array.from([0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15]) };
    expect(coverCrop(p, 2, 2)).toEqual({ width: 2, height: 2, channels: 1, data: Uint8Array.from([2, 3, 12, 13]) });
    // 2 wide, 4 high, RGB: a 1×2 (h×w) Input keeps one row, the upper of the middle two
    const q = { width: 2, height: 4, channels: 3, data: Uint8Array.from({ length: 24 }, (_, i) => i) };
    expect(coverCrop(q, 1, 2)).toEqual({ width: 2, height: 1, channels: 3, data: Uint8Array.from([6, 7, 8, 9, 10, 11]) });
    expect(coverCrop(p, 1, 3)).toBe(p); // same aspect ratio: untouched
  });

  it('maskNames gives each image its own mask file', () => {
    expect(maskNames(['a/x.png', 'b/x.jpg', 'c/X.png', 'y.jpeg'])).toEqual(['x.png', 'x-2.png', 'X-3.png', 'y.png']);
  });
});

describe('layerlab train --data → layerlab predict', () => {
  it('classification: class folders of another size than the Input; predict gives the same test accuracy as train', async () => {
    const data = join(tmp, 'bars');
    const r = mulberry32(1);
    const classes = ['horizontal', 'square', 'vertical'];
    const truth = new Map<string, number>();
    for (const [k, cls] of classes.entries()) {
      mkdirSync(join(data, cls), { recursive: true });
      for (let n = 0; n < 60; n++) {
        // 48×40: wider than the square Input, so 4 columns each side are cropped away (cover)
        const [w, h] = [48, 40];
        const px = background(r, w, h);
        const [rw, rh] = cls === 'horizontal' ? [int(r, 20, 30), int(r, 4, 6)] : cls === 'vertical' ? [int(r, 4, 6), int(r, 20, 30)] : [int(r, 12, 16), 0];
        const hh = rh || rw;
        fillRect(px, w, int(r, 6, w - rw - 6), int(r, 2, h - hh - 2), rw, hh, BRIGHT, r);
        const file = join(cls, `${cls}-${n}.png`);
        writeFileSync(join(data, file), encodePngBytes(w, h, px, 1));
        truth.set(file, k);
      }
    }
    const graph = join(root, 'presets', 'lenet5.json'); // 28×28×1 → 10 classes
    const refused = await runCli('train', graph, '--data', data, '--epochs', '1');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/does not fit bars:\n {2}The output gives 10 values but the dataset has 3 classes/);
    expect(refused.err).toMatch(/Run again with --fit/);

    const model = join(tmp, 'bars-model');
    const t = await runCli('train', graph, '--data', data, '--fit', '--epochs', '4', '--backend', 'wasm', '--out', model, '--json');
    expect(t.code, t.err).toBe(0);
    const trained = lastJson(t.out);
    expect(trained.classes).toEqual(classes);
    expect(trained.fitted).toEqual([{ node: 'output', param: 'units', from: 10, to: 3 }]);
    expect(t.err).toMatch(/--fit changed the graph to fit bars:\n {2}node output: units 10 -> 3/);
    expect(trained.testImages).toHaveLength(36); // a fifth of each class
    expect(readFileSync(join(model, 'classes.txt'), 'utf8')).toBe('horizontal\nsquare\nvertical\n');

    const p = await runCli('predict', model, ...trained.testImages.map((f: string) => join(data, f)), '--json');
    expect(p.code, p.err).toBe(0);
    const predicted = lastJson(p.out);
    expect(predicted.task).toBe('classification');
    let correct = 0;
    for (const [i, res] of predicted.results.entries()) {
      expect(res).toMatchObject({ image: join(data, trained.testImages[i]), width: 48, height: 40 });
      expect(res.probabilities).toHaveLength(3);
      expect(res.probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 4);
      expect(res.class).toBe(res.probabilities.indexOf(Math.max(...res.probabilities)));
      expect(res.className).toBe(classes[res.class]);
      if (res.class === truth.get(trained.testImages[i])) correct++;
    }
    const accuracy = correct / predicted.results.length;
    expect(Math.abs(accuracy - trained.testAccuracy)).toBeLessThan(1e-9);
    expect(accuracy).toBeGreaterThan(0.7); // chance: 1/3
  }, 180_000);

  it('segmentation: images/ + masks/ split in train/ and test/; mean IoU and pixel accuracy from the written masks agree with train', async () => {
    const data = join(tmp, 'blocks');
    const r = mulberry32(2);
    const S = 32;
    const truth = new Map<string, Uint8Array>();
    const pictures = new Map<string, Uint8Array>();
    for (const [split, count] of [['train', 200], ['test', 40]] as const) {
      mkdirSync(join(data, split, 'images'), { recursive: true });
      mkdirSync(join(data, split, 'masks'), { recursive: true });
      for (let n = 0; n < count; n++) {
        const px = background(r, S, S);
        const mask = new Uint8Array(S * S);
        for (let k = int(r, 1, 2); k > 0; k--) {
          const cls = int(r, 1, 2);
          const rw = int(r, 6, 14);
          const rh = int(r, 6, 14);
          fillRect(px, S, int(r, 0, S - rw), int(r, 0, S - rh), rw, rh, cls === 1 ? BRIGHT : GREY, r, mask, cls);
        }
        const name = `${split}-${n}.png`;
        writeFileSync(join(data, split, 'images', name), encodePngBytes(S, S, px, 1));
        writeFileSync(join(data, split, 'masks', name), encodePngBytes(S, S, mask, 1));
        if (split === 'test') {
          truth.set(join(data, split, 'images', name), mask);
          pictures.set(name, px);
        }
      }
    }
    writeFileSync(join(data, 'classes.txt'), 'background\nbright\ngrey\n');
    // A small fully convolutional network (fast on two CPU cores), ending like unet-mini in 5 classes.
    const conv = (filters: number, kernelSize: number, activation: string) => ({ filters, kernelSize, padding: 'same', activation });
    const graph = chainGraph('fcn', [['c1', 'conv2d', conv(16, 3, 'relu')], ['c2', 'conv2d', conv(16, 3, 'relu')], ['mask', 'conv2d', conv(5, 1, 'softmax')]], {
      task: 'segmentation',
      dataset: 'shapes-masks',
      optimizer: 'adam',
      learningRate: 0.01,
      batchSize: 16,
      epochs: 4,
      validationSplit: 0.1,
      seed: 42,
    });
    const refused = await runCli('train', graph, '--data', data);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/The output is 32×32×5 but a mask of this dataset is 32×32 with 3 classes \(background, bright, grey\)/);

    const model = join(tmp, 'blocks-model');
    const t = await runCli('train', graph, '--data', data, '--fit', '--out', model, '--json');
    expect(t.code, t.err).toBe(0);
    const trained = lastJson(t.out);
    expect(trained).toMatchObject({ task: 'segmentation', classes: ['background', 'bright', 'grey'], fitted: [{ node: 'mask', param: 'filters', from: 5, to: 3 }] });
    expect(t.err).toMatch(/epoch 4: loss [\d.]+, pixel accuracy [\d.]+%, validation mean IoU [\d.]+/);
    expect(t.err).toMatch(/test mean IoU [\d.]+ \(per class: background [\d.]+, bright [\d.]+, grey [\d.]+\), pixel accuracy/);

    const images = [...truth.keys()];
    const out = join(tmp, 'blocks-masks');
    const p = await runCli('predict', model, ...images, '--out', out, '--json');
    expect(p.code, p.err).toBe(0);
    const predicted = lastJson(p.out);
    expect(predicted.task).toBe('segmentation');
    // The test's own scores: a pixel confusion matrix over all test images, from the mask files.
    const K = 3;
    const confusion = Array.from({ length: K }, () => new Array<number>(K).fill(0));
    for (const [i, res] of predicted.results.entries()) {
      expect(res.image).toBe(images[i]);
      expect(res.mask).toBe(join(out, images[i]!.split('/').at(-1)!));
      const png = decodePng(readFileSync(res.mask));
      expect([png.width, png.height, png.channels, png.depth]).toEqual([S, S, 1, 8]);
      const want = truth.get(images[i]!)!;
      for (let j = 0; j < S * S; j++) confusion[want[j]!]![png.data[j]!]!++;
    }
    const ious: number[] = [];
    for (let k = 0; k < K; k++) {
      const tp = confusion[k]![k]!;
      const fn = confusion[k]!.reduce((a, b) => a + b, 0) - tp;
      const fp = confusion.reduce((a, row) => a + row[k]!, 0) - tp;
      if (tp + fn + fp > 0) ious.push(tp / (tp + fn + fp));
    }
    const meanIoU = ious.reduce((a, b) => a + b, 0) / ious.length;
    const pixelAccuracy = confusion.reduce((a, row, k) => a + row[k]!, 0) / (images.length * S * S);
    expect(Math.abs(meanIoU - trained.meanIoU)).toBeLessThan(1e-6);
    expect(Math.abs(pixelAccuracy - trained.pixelAccuracy)).toBeLessThan(1e-6);
    // Above chance: all-background scores (background IoU)/3, well under 0.35 here.
    expect(meanIoU).toBeGreaterThan(0.8);

    // An image twice as wide (each pixel repeated): its mask is 64×32, the 32×32 mask stretched.
    const name = [...pictures.keys()][0]!;
    const wide = join(tmp, 'wide.png');
    writeFileSync(wide, encodePngBytes(2 * S, S, repeatPixels(pictures.get(name)!, S, S, 2 * S, S), 1));
    const pw = await runCli('predict', model, wide, '--out', join(tmp, 'wide-masks'));
    expect(pw.code, pw.err).toBe(0);
    expect(pw.out).toMatch(/wide\.png -> .*wide-masks\/wide\.png \(background [\d.]+%/);
    const big = decodePng(readFileSync(join(tmp, 'wide-masks', 'wide.png')));
    const small = decodePng(readFileSync(join(out, name)));
    expect([big.width, big.height]).toEqual([2 * S, S]);
    let same = 0;
    for (let y = 0; y < S; y++) for (let x = 0; x < 2 * S; x++) same += big.data[y * 2 * S + x] === small.data[y * S + Math.floor(x / 2)] ? 1 : 0;
    expect(same).toBe(2 * S * S);

    // A mask is never written over an image: here test-0.png's mask would replace test-0.png itself.
    const over = await runCli('predict', model, images[0]!, '--out', join(data, 'test', 'images'));
    expect(over.code).toBe(2);
    expect(over.err).toMatch(/would overwrite the image .*test-0\.png: choose another folder with --out/);
    expect(decodePng(readFileSync(images[0]!)).data).toEqual(pictures.get('test-0.png'));

    // The commands that measure classifiers say so instead of scoring masks as classes.
    const robust = await runCli('robustness', model, '--transform', 'shift-x', '--values', '0');
    expect(robust.code).toBe(2);
    expect(robust.err).toMatch(/This model does segmentation; robustness and explain measure classification models\. Run `layerlab predict/);
  }, 120_000);

  it('detection: YOLO images/ + labels/ + classes.txt; mAP@0.5 from the printed boxes agrees with train', async () => {
    const data = join(tmp, 'squares');
    const r = mulberry32(3);
    const S = 32;
    type Truth = { class: number; x: number; y: number; w: number; h: number };
    const truth = new Map<string, Truth[]>();
    const pictures = new Map<string, Uint8Array>();
    for (const [split, count] of [['train', 360], ['test', 60]] as const) {
      mkdirSync(join(data, split, 'images'), { recursive: true });
      mkdirSync(join(data, split, 'labels'), { recursive: true });
      for (let n = 0; n < count; n++) {
        const px = background(r, S, S);
        const boxes: Truth[] = [];
        // one or two squares, side 7–11, apart from each other
        for (let tries = 0, want = int(r, 1, 2); boxes.length < want && tries < 50; tries++) {
          const side = int(r, 7, 11);
          const b = { class: int(r, 0, 1), x: int(r, 0, S - side), y: int(r, 0, S - side), w: side, h: side };
          if (boxes.some((o) => b.x < o.x + o.w + 2 && o.x < b.x + b.w + 2 && b.y < o.y + o.h + 2 && o.y < b.y + b.h + 2)) continue;
          boxes.push(b);
          fillRect(px, S, b.x, b.y, b.w, b.h, b.class === 0 ? BRIGHT : GREY, r);
        }
        const name = `${split}-${n}`;
        writeFileSync(join(data, split, 'images', `${name}.png`), encodePngBytes(S, S, px, 1));
        const yolo = boxes.map((b) => `${b.class} ${((b.x + b.w / 2) / S).toFixed(6)} ${((b.y + b.h / 2) / S).toFixed(6)} ${(b.w / S).toFixed(6)} ${(b.h / S).toFixed(6)}`);
        writeFileSync(join(data, split, 'labels', `${name}.txt`), yolo.join('\n') + '\n');
        if (split === 'test') {
          truth.set(join(data, split, 'images', `${name}.png`), boxes);
          pictures.set(name, px);
        }
      }
    }
    writeFileSync(join(data, 'classes.txt'), 'bright\ngrey\n');
    // A small single-shot detector: 32×32 → an 8×8 grid, ending like detector-mini in 4 classes (9 channels).
    const conv = (filters: number, activation: string, kernelSize = 3) => ({ filters, kernelSize, padding: 'same', activation });
    const graph = chainGraph(
      'ssd',
      [
        ['c1', 'conv2d', conv(16, 'relu')],
        ['p1', 'maxPooling2d', { poolSize: 2 }],
        ['c2', 'conv2d', conv(32, 'relu')],
        ['p2', 'maxPooling2d', { poolSize: 2 }],
        ['c3', 'conv2d', conv(32, 'relu')],
        ['grid', 'conv2d', conv(9, 'linear', 1)],
      ],
      { task: 'detection', dataset: 'shapes-boxes', optimizer: 'adam', learningRate: 0.005, batchSize: 16, epochs: 8, validationSplit: 0.1, seed: 42 },
    );
    const refused = await runCli('train', graph, '--data', data, '--json');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/The output is 8×8×9 but a detection grid for this dataset's 2 classes needs 7 channels per cell/);
    expect(lastJson(refused.out)).toMatchObject({ ok: false });

    const model = join(tmp, 'squares-model');
    const t = await runCli('train', graph, '--data', data, '--fit', '--out', model, '--json');
    expect(t.code, t.err).toBe(0);
    const trained = lastJson(t.out);
    expect(trained).toMatchObject({ task: 'detection', classes: ['bright', 'grey'], testAccuracy: null, fitted: [{ node: 'grid', param: 'filters', from: 9, to: 7 }] });
    expect(trained.perClassAP).toHaveLength(2);
    expect(t.err).toMatch(/epoch 8: loss [\d.]+, validation mAP@0\.5 [\d.]+ \(/);
    expect(t.err).not.toMatch(/NaN/);
    expect(t.err).toMatch(/test mAP@0\.5 [\d.]+ \(average precision per class at IoU 0\.5: bright [\d.]+, grey [\d.]+\)/);

    // Every box down to the score train's scoring keeps (0.01), so that the precision-recall curves match.
    const images = [...truth.keys()];
    const p = await runCli('predict', model, ...images, '--min-score', '0.01', '--json');
    expect(p.code, p.err).toBe(0);
    const predicted = lastJson(p.out);
    expect(predicted.task).toBe('detection');
    const iou = (a: Truth, b: Truth) => {
      const iw = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
      const ih = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      const inter = iw > 0 && ih > 0 ? iw * ih : 0;
      return inter / (a.w * a.h + b.w * b.h - inter);
    };
    // The test's own AP (PASCAL VOC, all points): detections by score; each takes the truth of its
    // class it overlaps most in its image if IoU ≥ 0.5 and that truth is not yet taken.
    const aps: number[] = [];
    for (let c = 0; c < 2; c++) {
      const dets: { img: number; box: Truth; score: number }[] = [];
      predicted.results.forEach((res: { image: string; boxes: (Truth & { score: number })[] }, img: number) => {
        expect(res.image).toBe(images[img]);
        for (const b of res.boxes) {
          expect(b.score).toBeGreaterThanOrEqual(0.01);
          if (b.class === c) dets.push({ img, box: b, score: b.score });
        }
      });
      dets.sort((a, b) => b.score - a.score);
      const truths = images.map((im) => truth.get(im)!.filter((b) => b.class === c));
      const taken = truths.map((ts) => ts.map(() => false));
      const total = truths.reduce((a, ts) => a + ts.length, 0);
      let tp = 0;
      const points: { recall: number; precision: number }[] = [];
      dets.forEach((d, k) => {
        const overlaps = truths[d.img]!.map((t) => iou(d.box, t));
        const best = overlaps.indexOf(Math.max(...overlaps));
        if (best >= 0 && overlaps[best]! >= 0.5 && !taken[d.img]![best]) {
          taken[d.img]![best] = true;
          tp++;
        }
        points.push({ recall: tp / total, precision: tp / (k + 1) });
      });
      let ap = 0;
      let prevRecall = 0;
      points.forEach((pt, k) => {
        const envelope = Math.max(...points.slice(k).map((q) => q.precision));
        ap += (pt.recall - prevRecall) * envelope;
        prevRecall = pt.recall;
      });
      aps.push(ap);
      expect(Math.abs(ap - trained.perClassAP[c])).toBeLessThan(0.01);
    }
    const mAP = (aps[0]! + aps[1]!) / 2;
    expect(Math.abs(mAP - trained.mAP50)).toBeLessThan(0.01);
    expect(mAP).toBeGreaterThan(0.8); // chance is near 0: a box must land within IoU 0.5 of a square of its class

    // The same picture twice as wide: every box twice as wide and as far right, at the default score.
    const [name, px] = [...pictures.entries()][0]!;
    const wide = join(tmp, 'wide-squares.png');
    writeFileSync(wide, encodePngBytes(2 * S, S, repeatPixels(px, S, S, 2 * S, S), 1));
    const original = join(data, 'test', 'images', `${name}.png`);
    const both = await runCli('predict', model, original, wide, join(tmp, 'missing.png'), '--json');
    expect(both.code).toBe(2); // one file is missing: named, the others still predicted
    const [a, b, missing] = lastJson(both.out).results;
    expect(missing).toEqual({ image: join(tmp, 'missing.png'), error: `${join(tmp, 'missing.png')}: no such file.` });
    expect([b.width, b.height]).toEqual([2 * S, S]);
    expect(a.boxes.length).toBeGreaterThan(0);
    expect(a.boxes.every((x: { score: number }) => x.score >= 0.25)).toBe(true);
    expect(b.boxes).toHaveLength(a.boxes.length);
    a.boxes.forEach((x: Truth & { score: number }, i: number) => {
      const y = b.boxes[i];
      expect(y.class).toBe(x.class);
      expect(y.score).toBeCloseTo(x.score, 3);
      expect(y.x).toBeCloseTo(2 * x.x, 2);
      expect(y.w).toBeCloseTo(2 * x.w, 2);
      expect(y.y).toBeCloseTo(x.y, 2);
      expect(y.h).toBeCloseTo(x.h, 2);
    });
    const text = await runCli('predict', model, original);
    expect(text.out).toMatch(new RegExp(`^${original.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\d+ box(es)?\n {2}(bright|grey) \\d+% at x -?[\\d.]+, y -?[\\d.]+, [\\d.]+×[\\d.]+ px\n`));
  }, 120_000);
});

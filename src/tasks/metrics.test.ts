import { describe, expect, it } from 'vitest';
import { createRand, randInt, type Rand } from '../training/data/rng.ts';
import {
  allPointAP,
  boxIoU,
  evaluateDetections,
  nms,
  SegmentationAccumulator,
  yoloToBox,
  type Detection,
  type DetectionImage,
  type TruthBox,
} from './metrics.ts';

const u8 = (a: number[]) => Uint8Array.from(a);

describe('segmentation metrics', () => {
  it('accumulates a pixel confusion matrix over images (hand-worked)', () => {
    const acc = new SegmentationAccumulator(3);
    // image 1: truth 0 0 1 1, pred 0 1 1 1 → (t0,p0) (t0,p1) (t1,p1) (t1,p1)
    acc.add(u8([0, 1, 1, 1]), u8([0, 0, 1, 1]));
    // image 2: truth 2 2 0 0, pred 2 0 0 0 → (t2,p2) (t2,p0) (t0,p0) (t0,p0)
    acc.add(u8([2, 0, 0, 0]), u8([2, 2, 0, 0]));
    const r = acc.result();
    // rows = truth: t0 → p0 3, p1 1; t1 → p1 2; t2 → p0 1, p2 1
    expect(r.confusion).toEqual([
      [3, 1, 0],
      [0, 2, 0],
      [1, 0, 1],
    ]);
    // IoU0 = 3 / (row 4 + col 4 − 3) = 3/5; IoU1 = 2 / (2 + 3 − 2) = 2/3; IoU2 = 1 / (2 + 1 − 1) = 1/2
    expect(r.perClassIoU[0]).toBeCloseTo(3 / 5, 12);
    expect(r.perClassIoU[1]).toBeCloseTo(2 / 3, 12);
    expect(r.perClassIoU[2]).toBeCloseTo(1 / 2, 12);
    // mean = (0.6 + 0.6667 + 0.5) / 3 = 0.58889; pixel accuracy = (3 + 2 + 1) / 8
    expect(r.meanIoU).toBeCloseTo((3 / 5 + 2 / 3 + 1 / 2) / 3, 12);
    expect(r.pixelAccuracy).toBe(6 / 8);
    expect(r.pixels).toBe(8);
  });

  it('leaves a class absent from truth and prediction out of the mean, but counts one only predicted', () => {
    const acc = new SegmentationAccumulator(4);
    acc.add(u8([0, 1, 1, 1]), u8([0, 0, 1, 1]));
    // class 0: 1/(2+1−1) = 1/2; class 1: 2/(2+3−2) = 2/3; classes 2 and 3 nowhere → null
    let r = acc.result();
    expect(r.perClassIoU).toEqual([0.5, 2 / 3, null, null]);
    expect(r.meanIoU).toBeCloseTo((0.5 + 2 / 3) / 2, 12);
    // now class 3 is predicted on a background pixel but never true: IoU 3 = 0 and it counts
    acc.add(u8([3, 0]), u8([0, 0]));
    r = acc.result();
    // class 0: tp 1+1 = 2, row 2+2 = 4, col 1+1 = 2 → 2/(4+2−2) = 1/2
    expect(r.perClassIoU).toEqual([0.5, 2 / 3, null, 0]);
    expect(r.meanIoU).toBeCloseTo((0.5 + 2 / 3 + 0) / 3, 12);
    expect(r.pixelAccuracy).toBe(4 / 6);
  });

  it('gives NaN with no pixels and refuses bad input', () => {
    const acc = new SegmentationAccumulator(2);
    expect(acc.result().meanIoU).toBeNaN();
    expect(acc.result().pixelAccuracy).toBeNaN();
    expect(acc.result().perClassIoU).toEqual([null, null]);
    expect(() => acc.add(u8([0]), u8([0, 1]))).toThrow('prediction has 1 pixels but the truth has 2');
    expect(() => acc.add(u8([0, 2]), u8([0, 1]))).toThrow('pixel 1 has class 2 (prediction), but there are only 2 classes');
    expect(() => new SegmentationAccumulator(0)).toThrow();
  });

  it('agrees with per-class counting on random masks', () => {
    const rand = createRand('seg');
    const k = 5;
    const acc = new SegmentationAccumulator(k);
    const pairs: [Uint8Array, Uint8Array][] = [];
    for (let n = 0; n < 7; n++) {
      const len = 1 + randInt(rand, 50);
      // class 4 never used → must be null
      const p = Uint8Array.from({ length: len }, () => randInt(rand, 4));
      const t = Uint8Array.from(p, (v) => (rand() < 0.6 ? v : randInt(rand, 4)));
      pairs.push([p, t]);
      acc.add(p, t);
    }
    const r = acc.result();
    let correct = 0;
    let total = 0;
    for (let c = 0; c < k; c++) {
      let inter = 0;
      let union = 0;
      for (const [p, t] of pairs) {
        for (let i = 0; i < p.length; i++) {
          if (p[i] === c && t[i] === c) inter++;
          if (p[i] === c || t[i] === c) union++;
        }
      }
      if (union === 0) expect(r.perClassIoU[c]).toBeNull();
      else expect(r.perClassIoU[c]).toBeCloseTo(inter / union, 12);
    }
    for (const [p, t] of pairs) for (let i = 0; i < p.length; i++) (total++, p[i] === t[i] && correct++);
    expect(r.pixelAccuracy).toBeCloseTo(correct / total, 12);
    expect(r.perClassIoU[4]).toBeNull();
  });
});

describe('boxes', () => {
  it('computes IoU (hand-worked)', () => {
    // overlap 1×1 = 1, union 4 + 4 − 1 = 7
    expect(boxIoU({ x: 0, y: 0, w: 2, h: 2 }, { x: 1, y: 1, w: 2, h: 2 })).toBeCloseTo(1 / 7, 12);
    // one inside the other: 4 / 16
    expect(boxIoU({ x: 0, y: 0, w: 4, h: 4 }, { x: 1, y: 1, w: 2, h: 2 })).toBe(0.25);
    // touching edges: no area in common
    expect(boxIoU({ x: 0, y: 0, w: 2, h: 2 }, { x: 2, y: 0, w: 2, h: 2 })).toBe(0);
    expect(boxIoU({ x: 0, y: 0, w: 2, h: 2 }, { x: 0, y: 0, w: 2, h: 2 })).toBe(1);
    expect(boxIoU({ x: 0, y: 0, w: 0, h: 0 }, { x: 0, y: 0, w: 0, h: 0 })).toBe(0);
  });

  it('converts YOLO centre/size fractions', () => {
    // cx 0.5·100 = 50, w 0.2·100 = 20 → x 40; cy 0.5·50 = 25, h 0.4·50 = 20 → y 15
    expect(yoloToBox(0.5, 0.5, 0.2, 0.4, 100, 50)).toEqual({ x: 40, y: 15, w: 20, h: 20 });
    expect(yoloToBox(0.25, 0.5, 0.5, 1)).toEqual({ x: 0, y: 0, w: 0.5, h: 1 });
  });

  it('suppresses greedily, per class', () => {
    const d = (x: number, score: number, cls = 0): Detection => ({ x, y: 0, w: 10, h: 10, score, class: cls });
    const a = d(0, 0.9);
    const b = d(1, 0.8); // IoU with a = 9·10 / (200 − 90) = 0.818 → dropped
    const c = d(30, 0.7); // far away → kept
    const e = d(0, 0.6, 1); // same place as a but another class → kept
    expect(nms([c, b, e, a])).toEqual([a, c, e]);
    // a chain: p ⟷ q IoU 5·10/150 = 1/3, q ⟷ r 1/3, p ⟷ r 0. At threshold 0.3 q goes; r is
    // only compared with kept boxes (p), so it stays even though q overlapped it.
    const p = d(0, 0.9);
    const q = d(5, 0.8);
    const r = d(10, 0.7);
    expect(nms([p, q, r], { iouThreshold: 0.3 })).toEqual([p, r]);
    expect(nms([p, q, r], { iouThreshold: 0.5 })).toEqual([p, q, r]);
    expect(nms([p, q, r], { scoreThreshold: 0.75 })).toEqual([p, q]);
    expect(nms([p, q, r], { maxDetections: 1 })).toEqual([p]);
    expect(nms([])).toEqual([]);
  });
});

describe('average precision', () => {
  it('uses the precision envelope (all-point)', () => {
    // 2 truths, ranks FP TP TP: recall 0, 1/2, 1; precision 0, 1/2, 2/3.
    // envelope 2/3, 2/3, 2/3 → AP = 1/2·2/3 + 1/2·2/3 = 2/3 (without the envelope: 1/2·1/2 + 1/2·2/3 = 7/12)
    expect(allPointAP([0, 0.5, 1], [0, 0.5, 2 / 3])).toBeCloseTo(2 / 3, 12);
    expect(allPointAP([], [])).toBe(0);
    expect(allPointAP([1], [1])).toBe(1);
  });

  // image 1: truths g1 (0,0) and g2 (20,0); image 2: truth g3 (0,0); all 10×10, class 0.
  // class 2 has a truth in image 2 and no detections; class 1 has detections and no truth.
  const box = (x: number, y = 0) => ({ x, y, w: 10, h: 10 });
  const t = (x: number, cls = 0): TruthBox => ({ ...box(x), class: cls });
  const det = (x: number, score: number, cls = 0, y = 0): Detection => ({ ...box(x, y), score, class: cls });
  const images = (): DetectionImage[] => [
    {
      truths: [t(0), t(20)],
      detections: [
        det(0, 0.9), // = g1 → TP
        det(1, 0.8), // IoU 0.818 with g1, already taken → duplicate → FP
        det(25, 0.5), // IoU with g2 = 5·10/150 = 1/3 < 0.5 → FP
        det(0, 0.9, 1), // class 1 has no truth anywhere
      ],
    },
    {
      truths: [t(0), t(40, 2)],
      detections: [
        det(50, 0.7, 0, 50), // nothing there → FP
        det(0, 0.6), // = g3 → TP
      ],
    },
  ];

  it('computes AP and mAP on a hand-worked case (duplicates, a class absent from the truth, one undetected)', () => {
    const r = evaluateDetections(images(), 3);
    // class 0 by score: TP FP FP TP FP; TP so far 1 1 1 2 2 of 3 truths
    // recall 1/3 1/3 1/3 2/3 2/3; precision 1 1/2 1/3 2/4 2/5
    // envelope (max from the right) 1 .5 .5 .5 .4 → AP = 1/3·1 + 1/3·0.5 = 0.5
    expect(r.perClass[0]!.ap).toBeCloseTo(0.5, 12);
    expect(r.perClass[0]).toMatchObject({ truths: 3, detections: 5, truePositives: 2, falsePositives: 3 });
    // class 1: no truth → null, left out of the mean; its detection counted as a false positive
    expect(r.perClass[1]).toEqual({ ap: null, truths: 0, detections: 1, truePositives: 0, falsePositives: 1 });
    // class 2: a truth, never detected → AP 0, counts
    expect(r.perClass[2]!.ap).toBe(0);
    expect(r.mAP).toBeCloseTo((0.5 + 0) / 2, 12);
  });

  it('counts detections on an image with no ground truth as false positives', () => {
    const ims = [...images(), { truths: [], detections: [det(0, 0.95)] }];
    const r = evaluateDetections(ims, 3);
    // class 0 by score: FP(empty image) TP FP FP TP FP
    // recall 0 1/3 1/3 1/3 2/3 2/3; precision 0 1/2 1/3 1/4 2/5 2/6
    // envelope .5 .5 .4 .4 .4 1/3 → AP = 1/3·0.5 + 1/3·0.4 = 0.3
    expect(r.perClass[0]!.ap).toBeCloseTo(0.3, 12);
    expect(r.mAP).toBeCloseTo(0.15, 12);
    // an empty image with no detections changes nothing
    expect(evaluateDetections([...images(), { truths: [], detections: [] }], 3).perClass[0]!.ap).toBeCloseTo(0.5, 12);
  });

  it('follows the IoU threshold', () => {
    const r = evaluateDetections(images(), 3, 0.3);
    // det(25) now matches g2 (1/3 ≥ 0.3): TP FP FP TP TP
    // recall 1/3 1/3 1/3 2/3 1; precision 1 1/2 1/3 1/2 3/5; envelope 1 .6 .6 .6 .6
    // AP = 1/3·1 + 1/3·0.6 + 1/3·0.6 = 2.2/3
    expect(r.perClass[0]!.ap).toBeCloseTo(2.2 / 3, 12);
    expect(r.iouThreshold).toBe(0.3);
  });

  it('marks a duplicate false even when a second truth also overlaps it (VOC matching)', () => {
    // g1 (0,0), g2 (4,0). d1 = g1. d2 at 1: IoU g1 = 0.818, g2 = 7·10/130 = 0.538.
    // Its best match g1 is taken → FP; it is not re-matched to g2.
    const r = evaluateDetections([{ truths: [t(0), t(4)], detections: [det(0, 0.9), det(1, 0.8)] }], 1);
    // TP FP: recall 1/2 1/2, precision 1 1/2 → AP = 1/2
    expect(r.perClass[0]).toMatchObject({ ap: 0.5, truePositives: 1, falsePositives: 1 });
  });

  it('gives NaN mAP when no class has ground truth, and AP 1 for a perfect detector', () => {
    expect(evaluateDetections([{ truths: [], detections: [det(0, 0.5)] }], 2).mAP).toBeNaN();
    const perfect = evaluateDetections([{ truths: [t(0), t(20, 1)], detections: [det(20, 0.3, 1), det(0, 0.2)] }], 2);
    expect(perfect.perClass.map((p) => p.ap)).toEqual([1, 1]);
    expect(perfect.mAP).toBe(1);
  });

  /**
   * The PASCAL VOC devkit's VOCevaldet.m + VOCap.m written out literally (1-based loops turned
   * into 0-based; IoU without the devkit's +1 pixel, since our boxes are continuous).
   */
  function devkitAP(ims: DetectionImage[], cls: number, minoverlap: number): number | null {
    const gt = ims.map((im) => {
      const BB = im.truths.filter((b) => b.class === cls);
      return { BB, det: BB.map(() => false) };
    });
    let npos = 0;
    for (const g of gt) npos += g.BB.length;
    const ids: number[] = [];
    const BB: Detection[] = [];
    const confidence: number[] = [];
    ims.forEach((im, i) => {
      for (const d of im.detections) {
        if (d.class !== cls) continue;
        ids.push(i);
        BB.push(d);
        confidence.push(d.score);
      }
    });
    // [sc,si]=sort(-confidence) — MATLAB's sort is stable
    const si = confidence.map((_, i) => i);
    si.sort((a, b) => -confidence[a]! - -confidence[b]! || a - b);
    const nd = confidence.length;
    const tp = new Array<number>(nd).fill(0);
    const fp = new Array<number>(nd).fill(0);
    for (let d = 0; d < nd; d++) {
      const i = ids[si[d]!]!;
      const bb = BB[si[d]!]!;
      let ovmax = -Infinity;
      let jmax = -1;
      const g = gt[i]!;
      for (let j = 0; j < g.BB.length; j++) {
        const bbgt = g.BB[j]!;
        const bi = [Math.max(bb.x, bbgt.x), Math.max(bb.y, bbgt.y), Math.min(bb.x + bb.w, bbgt.x + bbgt.w), Math.min(bb.y + bb.h, bbgt.y + bbgt.h)];
        const iw = bi[2]! - bi[0]!;
        const ih = bi[3]! - bi[1]!;
        if (iw > 0 && ih > 0) {
          const ua = bb.w * bb.h + bbgt.w * bbgt.h - iw * ih;
          const ov = (iw * ih) / ua;
          if (ov > ovmax) {
            ovmax = ov;
            jmax = j;
          }
        }
      }
      if (ovmax >= minoverlap) {
        if (!g.det[jmax]) {
          tp[d] = 1;
          g.det[jmax] = true;
        } else fp[d] = 1;
      } else fp[d] = 1;
    }
    if (npos === 0) return null;
    for (let d = 1; d < nd; d++) {
      fp[d]! += fp[d - 1]!;
      tp[d]! += tp[d - 1]!;
    }
    const rec = tp.map((v) => v / npos);
    const prec = tp.map((v, d) => v / (fp[d]! + v));
    // VOCap
    const mrec = [0, ...rec, 1];
    const mpre = [0, ...prec, 0];
    for (let i = mpre.length - 2; i >= 0; i--) mpre[i] = Math.max(mpre[i]!, mpre[i + 1]!);
    let ap = 0;
    for (let i = 1; i < mrec.length; i++) if (mrec[i] !== mrec[i - 1]) ap += (mrec[i]! - mrec[i - 1]!) * mpre[i]!;
    return ap;
  }

  function randomImages(rand: Rand, k: number): DetectionImage[] {
    const n = 1 + randInt(rand, 6);
    const gridBox = () => ({ x: randInt(rand, 6), y: randInt(rand, 6), w: 1 + randInt(rand, 4), h: 1 + randInt(rand, 4) });
    return Array.from({ length: n }, () => {
      const truths = Array.from({ length: randInt(rand, 5) }, () => ({ ...gridBox(), class: randInt(rand, k) }));
      const detections: Detection[] = [];
      for (const tr of truths) {
        // near copies (including duplicates) of truths, and random boxes; coarse scores make ties
        const copies = randInt(rand, 3);
        for (let c = 0; c < copies; c++) {
          detections.push({ x: tr.x + randInt(rand, 3) - 1, y: tr.y + randInt(rand, 3) - 1, w: tr.w, h: tr.h, class: rand() < 0.85 ? tr.class : randInt(rand, k), score: randInt(rand, 10) / 10 });
        }
      }
      for (let c = randInt(rand, 4); c > 0; c--) detections.push({ ...gridBox(), class: randInt(rand, k), score: randInt(rand, 10) / 10 });
      return { truths, detections };
    });
  }

  it('matches a literal port of the VOC devkit on random data', () => {
    const rand = createRand('voc');
    let nonTrivial = 0;
    for (let trial = 0; trial < 300; trial++) {
      const k = 1 + randInt(rand, 3);
      const ims = randomImages(rand, k);
      const thr = [0.5, 0.3, 0.7][trial % 3]!;
      const r = evaluateDetections(ims, k, thr);
      const expected = Array.from({ length: k }, (_, c) => devkitAP(ims, c, thr));
      for (let c = 0; c < k; c++) {
        const got = r.perClass[c]!.ap;
        const exp = expected[c]!;
        if (exp === null) expect(got).toBeNull();
        else {
          expect(got).toBeCloseTo(exp, 12);
          if (exp > 0 && exp < 1) nonTrivial++;
        }
      }
      const aps = expected.filter((a): a is number => a !== null);
      if (aps.length) expect(r.mAP).toBeCloseTo(aps.reduce((a, b) => a + b, 0) / aps.length, 12);
      else expect(r.mAP).toBeNaN();
    }
    // the random cases exercise partial APs, not just 0 and 1
    expect(nonTrivial).toBeGreaterThan(100);
  });
});

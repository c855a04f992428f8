/**
 * Object tracking by detection, pure TS: a detector's boxes in each frame of a clip are linked into
 * tracks by how much they overlap (IoU) from one frame to the next, and the tracks are scored with
 * CLEAR MOT's accuracy, MOTA (Bernardin & Stiefelhagen, 2008).
 *
 * Linking (`linkTracks`), frame by frame:
 *   1. every pair of a live track (its last box) and a detection with IoU ≥ `iou` is a candidate;
 *      the candidates are taken greedily, highest IoU first, each track and detection at most once.
 *      By default a track may take a detection of any class: a detector's class often flickers
 *      while two shapes overlap, and the track should not break then (`sameClass: true` links only
 *      boxes of the same class). A track's class is that of its latest detection;
 *   2. each detection left over starts a new track (ids 1, 2, 3… in order of appearance; within a
 *      frame, highest score first);
 *   3. a track left without a detection is kept, unseen, for up to `maxMissed` frames (its last box
 *      still matches), and ended when it misses one more.
 *
 * MOTA (`mota`): in each frame, truth objects and hypotheses (tracked boxes) are put in
 * correspondence when their IoU is at least `iou` (default 0.5). A correspondence of the previous
 * frame is kept while it is still valid (both present, IoU ≥ threshold); the remaining objects and
 * hypotheses are matched greedily, highest IoU first. Unmatched objects are misses (FN), unmatched
 * hypotheses false positives (FP), and an object matched to a different track than the one it was
 * last matched to is an identity switch (IDSW). MOTA = 1 − (FN + FP + IDSW) / GT, GT the number of
 * truth boxes over all frames; it can be negative, and is NaN for a clip without any truth box.
 */
import { boxIoU, type Box, type Detection } from './metrics.ts';

/** A detection that belongs to a track. */
export interface TrackedBox extends Detection {
  trackId: number;
}

export interface LinkOptions {
  /** A detection continues a track when its IoU with the track's last box is at least this (default 0.3). */
  iou?: number;
  /** A track survives this many frames in a row without a detection (default 2). */
  maxMissed?: number;
  /** Link only detections of the track's class (default false: any class). */
  sameClass?: boolean;
}

/** Greedy one-to-one matching of rows to columns: the free pairs scoring at least `min` (and above 0), highest first (ties: lower indices first). */
function greedyPairs(rows: number, cols: number, score: (i: number, j: number) => number, min: number, rowFree = (_i: number) => true, colFree = (_j: number) => true): [number, number][] {
  const cands: { i: number; j: number; s: number }[] = [];
  for (let i = 0; i < rows; i++) {
    if (!rowFree(i)) continue;
    for (let j = 0; j < cols; j++) {
      if (!colFree(j)) continue;
      const s = score(i, j);
      if (s >= min && s > 0) cands.push({ i, j, s });
    }
  }
  cands.sort((p, q) => q.s - p.s || p.i - q.i || p.j - q.j);
  const usedI = new Set<number>();
  const usedJ = new Set<number>();
  const out: [number, number][] = [];
  for (const { i, j } of cands) {
    if (usedI.has(i) || usedJ.has(j)) continue;
    usedI.add(i);
    usedJ.add(j);
    out.push([i, j]);
  }
  return out;
}

/**
 * The detections of every frame linked into tracks: per frame, each detection (in the order given)
 * with its track's id. Tracks unseen in a frame are not listed in it.
 */
export function linkTracks(framesDetections: readonly (readonly Detection[])[], options: LinkOptions = {}): TrackedBox[][] {
  const threshold = options.iou ?? 0.3;
  const maxMissed = options.maxMissed ?? 2;
  const sameClass = options.sameClass ?? false;
  let tracks: { id: number; box: Detection; missed: number }[] = [];
  let nextId = 1;
  return framesDetections.map((dets) => {
    const order = dets.map((_, k) => k).sort((a, b) => dets[b]!.score - dets[a]!.score || a - b);
    const pairs = greedyPairs(tracks.length, order.length, (i, j) => {
      const t = tracks[i]!.box;
      const d = dets[order[j]!]!;
      return sameClass && t.class !== d.class ? 0 : boxIoU(t, d);
    }, threshold);
    const out: TrackedBox[] = new Array(dets.length);
    const matchedTrack = new Set<number>();
    const matchedDet = new Set<number>();
    for (const [i, j] of pairs) {
      const d = dets[order[j]!]!;
      const t = tracks[i]!;
      t.box = d;
      t.missed = 0;
      matchedTrack.add(i);
      matchedDet.add(j);
      out[order[j]!] = { ...d, trackId: t.id };
    }
    tracks.forEach((t, i) => {
      if (!matchedTrack.has(i)) t.missed++;
    });
    tracks = tracks.filter((t) => t.missed <= maxMissed);
    order.forEach((k, j) => {
      if (matchedDet.has(j)) return;
      const d = dets[k]!;
      const t = { id: nextId++, box: d, missed: 0 };
      tracks.push(t);
      out[k] = { ...d, trackId: t.id };
    });
    return out;
  });
}

export interface MotaResult {
  /** 1 − (misses + falsePositives + idSwitches) / gt; NaN when gt is 0. */
  mota: number;
  misses: number;
  falsePositives: number;
  idSwitches: number;
  /** Truth boxes over all frames. */
  gt: number;
  /** Correspondences over all frames (gt − misses). */
  matches: number;
}

/**
 * CLEAR MOT's accuracy of tracks `hyp` against the truth `truth` (both per frame, same number of
 * frames; a missing frame counts as empty). Boxes in pixels, top-left corner and size.
 */
export function mota(truth: readonly (readonly (Box & { id: number })[])[], hyp: readonly (readonly (Box & { trackId: number })[])[], iou = 0.5): MotaResult {
  let misses = 0;
  let falsePositives = 0;
  let idSwitches = 0;
  let gt = 0;
  let matches = 0;
  /** Object id → the track it corresponded to in the previous frame. */
  let previous = new Map<number, number>();
  /** Object id → the track it was last matched to (any earlier frame). */
  const last = new Map<number, number>();
  const frames = Math.max(truth.length, hyp.length);
  for (let f = 0; f < frames; f++) {
    const objs = truth[f] ?? [];
    const hs = hyp[f] ?? [];
    gt += objs.length;
    const objTaken = new Set<number>();
    const hypTaken = new Set<number>();
    const now = new Map<number, number>();
    // Keep last frame's correspondences that still hold.
    objs.forEach((o, i) => {
      const tid = previous.get(o.id);
      if (tid === undefined) return;
      const j = hs.findIndex((h, k) => h.trackId === tid && !hypTaken.has(k));
      if (j < 0 || boxIoU(o, hs[j]!) < iou) return;
      objTaken.add(i);
      hypTaken.add(j);
      now.set(o.id, tid);
    });
    // Match the rest, highest IoU first.
    for (const [i, j] of greedyPairs(objs.length, hs.length, (i, j) => boxIoU(objs[i]!, hs[j]!), iou, (i) => !objTaken.has(i), (j) => !hypTaken.has(j))) {
      const o = objs[i]!;
      const tid = hs[j]!.trackId;
      const before = last.get(o.id);
      if (before !== undefined && before !== tid) idSwitches++;
      objTaken.add(i);
      hypTaken.add(j);
      now.set(o.id, tid);
    }
    for (const [id, tid] of now) last.set(id, tid);
    matches += now.size;
    misses += objs.length - objTaken.size;
    falsePositives += hs.length - hypTaken.size;
    previous = now;
  }
  return { mota: gt > 0 ? 1 - (misses + falsePositives + idSwitches) / gt : NaN, misses, falsePositives, idSwitches, gt, matches };
}

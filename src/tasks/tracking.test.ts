/**
 * Linking detections into tracks and CLEAR MOT's MOTA, on hand-worked clips of 10×10 boxes.
 */
import { describe, expect, it } from 'vitest';
import type { Detection } from './metrics';
import { linkTracks, mota } from './tracking';

const box = (x: number, y = 0, w = 10, h = 10) => ({ x, y, w, h });
const det = (x: number, y = 0, cls = 0, score = 0.9): Detection => ({ class: cls, score, ...box(x, y) });
const obj = (id: number, x: number, y = 0) => ({ id, ...box(x, y) });
const hyp = (trackId: number, x: number, y = 0) => ({ trackId, ...box(x, y) });
const ids = (frames: { trackId: number; x: number }[][]) => frames.map((f) => f.map((b) => [b.trackId, b.x]));

describe('linkTracks', () => {
  it('follows two moving objects with stable ids; new tracks in order of score', () => {
    // Object at x = 0, 1, 2 (IoU 0.82 step to step) and one at y = 30 moving left.
    const frames = [
      [det(0, 0, 0, 0.5), det(20, 30, 1, 0.8)],
      [det(1), det(19, 30, 1)],
      [det(18, 30, 1), det(2)],
    ];
    const r = linkTracks(frames);
    // Frame 0: the higher score starts track 1.
    expect(r[0]!.map((b) => [b.trackId, b.x, b.y])).toEqual([
      [2, 0, 0],
      [1, 20, 30],
    ]);
    expect(ids(r.slice(1))).toEqual([
      [
        [2, 1],
        [1, 19],
      ],
      [
        [1, 18],
        [2, 2],
      ],
    ]);
    // The detection's own fields come along.
    expect(r[1]![0]).toEqual({ ...det(1), trackId: 2 });
  });

  it('keeps a track through maxMissed frames without a detection, and ends it after one more', () => {
    const seen = (gap: number) => [[det(0)], ...Array.from({ length: gap }, () => []), [det(1)]];
    expect(ids(linkTracks(seen(2))).at(-1)).toEqual([[1, 1]]);
    expect(ids(linkTracks(seen(3))).at(-1)).toEqual([[2, 1]]);
    expect(ids(linkTracks(seen(1), { maxMissed: 0 })).at(-1)).toEqual([[2, 1]]);
    expect(ids(linkTracks(seen(0), { maxMissed: 0 })).at(-1)).toEqual([[1, 1]]);
  });

  it('starts a new track below the IoU threshold', () => {
    // Shifted by 5: IoU 50 / 150 = 1/3.
    expect(ids(linkTracks([[det(0)], [det(5)]]))[1]).toEqual([[1, 5]]);
    expect(ids(linkTracks([[det(0)], [det(5)]], { iou: 0.34 }))[1]).toEqual([[2, 5]]);
    // Shifted by 6: IoU 40 / 160 = 0.25 < 0.3.
    expect(ids(linkTracks([[det(0)], [det(6)]]))[1]).toEqual([[2, 6]]);
  });

  it('links across a class change by default, not with sameClass', () => {
    const frames = [[det(0, 0, 0)], [det(1, 0, 2)]];
    expect(ids(linkTracks(frames))[1]).toEqual([[1, 1]]);
    const strict = linkTracks(frames, { sameClass: true });
    expect(ids(strict)[1]).toEqual([[2, 1]]);
    expect(strict[1]![0]!.class).toBe(2);
  });

  it('gives each detection the track it overlaps most (greedy, one each)', () => {
    // Tracks at x = 0 and x = 4; detections at 3 (IoU 0.54 with track 1, 0.82 with track 2) and 0.
    const r = linkTracks([[det(0, 0, 0, 0.9), det(4, 0, 0, 0.8)], [det(3), det(0)]]);
    expect(ids(r)[1]).toEqual([
      [2, 3],
      [1, 0],
    ]);
  });

  it('handles empty frames and an empty clip', () => {
    expect(linkTracks([])).toEqual([]);
    expect(ids(linkTracks([[], [det(0)], [], [det(1)]]))).toEqual([[], [[1, 0]], [], [[1, 1]]]);
  });
});

describe('mota', () => {
  // Two objects over three frames: one still at x = 0, one moving right from x = 40.
  const truth = [
    [obj(1, 0), obj(2, 40)],
    [obj(1, 0), obj(2, 42)],
    [obj(1, 0), obj(2, 44)],
  ];
  const perfect = [
    [hyp(7, 0), hyp(8, 40)],
    [hyp(7, 0), hyp(8, 42)],
    [hyp(8, 44), hyp(7, 0)],
  ];

  it('perfect tracking is 1 (any track ids, any order)', () => {
    expect(mota(truth, perfect)).toEqual({ mota: 1, misses: 0, falsePositives: 0, idSwitches: 0, gt: 6, matches: 6 });
  });

  it('one miss', () => {
    const h = [perfect[0]!, [hyp(7, 0)], perfect[2]!];
    expect(mota(truth, h)).toEqual({ mota: 1 - 1 / 6, misses: 1, falsePositives: 0, idSwitches: 0, gt: 6, matches: 5 });
  });

  it('one false positive; a box below the IoU threshold is a miss and a false positive', () => {
    const h = [[...perfect[0]!, hyp(9, 100)], perfect[1]!, perfect[2]!];
    expect(mota(truth, h)).toMatchObject({ mota: 1 - 1 / 6, misses: 0, falsePositives: 1, idSwitches: 0 });
    // Off by 4: IoU 60 / 140 = 0.43 < 0.5, but above 0.4.
    const off = [perfect[0]!, [hyp(7, 0), hyp(8, 46)], perfect[2]!];
    expect(mota(truth, off)).toMatchObject({ mota: 1 - 2 / 6, misses: 1, falsePositives: 1, idSwitches: 0 });
    expect(mota(truth, off, 0.4)).toMatchObject({ mota: 1, misses: 0, falsePositives: 0 });
  });

  it('counts an identity switch for each object when two crossing objects swap tracks', () => {
    // A moves right 0 → 20, B left 20 → 0; at frame 2 they are on top of each other.
    const t = [0, 5, 10, 15, 20].map((x) => [obj(1, x), obj(2, 20 - x)]);
    // The tracker follows them up to the crossing, then swaps (track 1 goes on with B).
    const h = [
      [hyp(1, 0), hyp(2, 20)],
      [hyp(1, 5), hyp(2, 15)],
      // Both on the same box, listed in the order that would swap them if last frame's correspondences were not kept.
      [hyp(2, 10), hyp(1, 10)],
      [hyp(1, 5), hyp(2, 15)],
      [hyp(1, 0), hyp(2, 20)],
    ];
    expect(mota(t, h)).toEqual({ mota: 1 - 2 / 10, misses: 0, falsePositives: 0, idSwitches: 2, gt: 10, matches: 10 });
    // Tracks that keep their objects through the crossing: no switch.
    const kept = t.map((f) => f.map((o) => hyp(o.id, o.x)));
    expect(mota(t, kept).idSwitches).toBe(0);
  });

  it('an object lost for a frame: the same track again is no switch, a new track is', () => {
    const t = [[obj(1, 0)], [obj(1, 0)], [obj(1, 0)]];
    expect(mota(t, [[hyp(1, 0)], [], [hyp(1, 0)]])).toMatchObject({ misses: 1, idSwitches: 0, mota: 1 - 1 / 3 });
    expect(mota(t, [[hyp(1, 0)], [], [hyp(2, 0)]])).toMatchObject({ misses: 1, idSwitches: 1, mota: 1 - 2 / 3 });
  });

  it('empty frames count nothing; a clip without truth has no MOTA', () => {
    const withGaps = [[], truth[0]!, [], truth[1]!, truth[2]!, []];
    const hypGaps = [[], perfect[0]!, [], perfect[1]!, perfect[2]!, []];
    expect(mota(withGaps, hypGaps)).toEqual(mota(truth, perfect));
    // Missing frames at the end of either list count as empty.
    expect(mota(truth, perfect.slice(0, 2))).toMatchObject({ misses: 2, gt: 6 });
    expect(mota([], [])).toMatchObject({ gt: 0, misses: 0, falsePositives: 0, idSwitches: 0 });
    expect(mota([], []).mota).toBeNaN();
    expect(mota([[], []], [[hyp(1, 0)], []])).toMatchObject({ falsePositives: 1, gt: 0 });
  });

  it('equals 1 − (FN + FP + IDSW) / GT and can go below 0', () => {
    const many = [[obj(1, 0)], [obj(1, 0)]];
    const junk = [[hyp(1, 50), hyp(2, 70), hyp(3, 90)], [hyp(4, 50)]];
    const r = mota(many, junk);
    expect(r).toMatchObject({ misses: 2, falsePositives: 4, idSwitches: 0, gt: 2 });
    expect(r.mota).toBe(1 - 6 / 2);
  });
});

/**
 * The learning-rate schedules and early stopping against brute-force references written from the
 * PyTorch / Keras rules (a loop that multiplies, a cosine per epoch, counters written out).
 */
import { describe, expect, it } from 'vitest';
import { BestEpochTracker, LearningRateSchedule, scheduledLearningRate, type ScheduleSettings } from './schedule';

/** The rates a run of `s.epochs` epochs uses, telling the schedule each epoch's validation loss. */
function rates(s: ScheduleSettings, valLosses: (number | null)[] = []): number[] {
  const sch = new LearningRateSchedule(s);
  const out: number[] = [];
  for (let e = 1; e <= s.epochs; e++) {
    out.push(sch.rateFor(e));
    sch.epochEnded(valLosses[e - 1] ?? null);
  }
  return out;
}

describe('learning-rate schedules', () => {
  it('none keeps the rate', () => {
    expect(rates({ learningRate: 0.01, epochs: 4 })).toEqual([0.01, 0.01, 0.01, 0.01]);
  });

  it('step multiplies by the factor after every N epochs (StepLR)', () => {
    // Brute force: start at the base, multiply once every `every` epochs.
    for (const [every, factor] of [
      [1, 0.5],
      [3, 0.1],
      [4, 0.9],
    ] as const) {
      const want: number[] = [];
      let lr = 0.02;
      for (let e = 1; e <= 10; e++) {
        want.push(lr);
        if (e % every === 0) lr *= factor;
      }
      const got = rates({ learningRate: 0.02, epochs: 10, lrSchedule: 'step', lrFactor: factor, lrStepEpochs: every });
      got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 15));
    }
  });

  it('cosine goes from the base towards the minimum over the run, per epoch (CosineAnnealingLR)', () => {
    const got = rates({ learningRate: 0.1, epochs: 4, lrSchedule: 'cosine', minLearningRate: 0.01 });
    // By hand: 0.01 + 0.09 × (1 + cos(π e / 4)) / 2 for e = 0..3.
    const want = [0.1, 0.01 + 0.045 * (1 + Math.SQRT1_2), 0.055, 0.01 + 0.045 * (1 - Math.SQRT1_2)];
    got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 15));
    expect(scheduledLearningRate({ learningRate: 0.1, epochs: 4, lrSchedule: 'cosine', minLearningRate: 0.01 }, 5)).toBeCloseTo(0.01, 15);
  });

  it('plateau cuts after `patience` epochs without a new low, never below the minimum, and not without validation', () => {
    const s: ScheduleSettings = { learningRate: 1, epochs: 9, lrSchedule: 'plateau', lrFactor: 0.5, lrPatience: 2, minLearningRate: 0.2 };
    // Lows at epochs 1, 2; 3 and 4 no new low -> cut after epoch 4; 5 is a new low; 6, 7 not -> cut
    // after 7 (0.25); 8, 9 not -> cut after 9 (floor 0.2, after the run).
    const losses = [1, 0.9, 0.95, 0.9, 0.8, 0.8, 0.85, 0.81, 0.9];
    expect(rates(s, losses)).toEqual([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]);
    const floor = new LearningRateSchedule({ ...s, epochs: 20 });
    for (let e = 1; e <= 20; e++) {
      floor.rateFor(e);
      floor.epochEnded(1);
    }
    expect(floor.rateFor(21)).toBe(0.2);
    expect(rates(s, [])).toEqual(new Array(9).fill(1));
  });
});

describe('early stopping', () => {
  it('stops after `patience` epochs in a row without a new validation-loss low and names the best epoch', () => {
    const t = new BestEpochTracker(3);
    const losses = [0.5, 0.4, 0.45, 0.41, 0.39, 0.4, 0.4, 0.6, 0.3];
    let stopped = 0;
    for (let e = 1; e <= losses.length && !stopped; e++) {
      t.record(e, losses[e - 1]!);
      if (t.shouldStop) stopped = e;
    }
    expect(stopped).toBe(8);
    expect(t.bestEpoch).toBe(5);
    // Patience 0 never stops but still follows the best epoch; no validation never counts.
    const keep = new BestEpochTracker(0);
    [3, 2, 4, 5, 6].forEach((l, i) => keep.record(i + 1, l));
    expect(keep.shouldStop).toBe(false);
    expect(keep.bestEpoch).toBe(2);
    const none = new BestEpochTracker(1);
    none.record(1, null);
    none.record(2, null);
    expect(none.shouldStop).toBe(false);
  });
});

/**
 * Learning-rate schedules and early stopping, per epoch (pure: no tfjs, no DOM). The trainer asks
 * for each epoch's learning rate before the epoch and reports the validation loss after it. The
 * rules are PyTorch's and Keras' (the exported scripts use those classes, set up to match):
 *
 * - none: the learning rate stays as set.
 * - step: lr = base × factor^⌊(epoch − 1) / every⌋ (torch StepLR(step_size=every, gamma=factor)).
 * - cosine: lr = min + (base − min) × (1 + cos(π (epoch − 1) / epochs)) / 2, set per epoch
 *   (torch CosineAnnealingLR(T_max=epochs, eta_min=min), stepped once per epoch); the last epoch
 *   is one step short of the minimum, as there.
 * - plateau: after an epoch whose validation loss is not lower than the lowest so far, a counter
 *   goes up (a new low resets it); when it reaches `patience`, lr = max(lr × factor, min) and the
 *   counter restarts (Keras ReduceLROnPlateau(patience, min_delta=0, cooldown=0); torch
 *   ReduceLROnPlateau with patience − 1, threshold 0 'abs'). Without validation it never cuts.
 *
 * Early stopping watches the validation loss the same way: it stops once `patience` epochs in a
 * row brought no new low (Keras EarlyStopping(patience, min_delta=0)). The best epoch is the one
 * with the lowest validation loss (the first of equals).
 */
import type { LrScheduleName } from '../graph/training-settings';

export interface ScheduleSettings {
  learningRate: number;
  epochs: number;
  lrSchedule?: LrScheduleName;
  lrFactor?: number;
  lrStepEpochs?: number;
  lrPatience?: number;
  minLearningRate?: number;
}

/** The learning rate of `epoch` (1-based) for the schedules that depend on the epoch alone. */
export function scheduledLearningRate(s: ScheduleSettings, epoch: number): number {
  const base = s.learningRate;
  switch (s.lrSchedule ?? 'none') {
    case 'step':
      return base * Math.pow(s.lrFactor ?? 0.1, Math.floor((epoch - 1) / Math.max(1, s.lrStepEpochs ?? 5)));
    case 'cosine': {
      const min = s.minLearningRate ?? 0;
      return min + ((base - min) * (1 + Math.cos((Math.PI * (epoch - 1)) / Math.max(1, s.epochs)))) / 2;
    }
    default:
      return base;
  }
}

/** Follows a run: the learning rate for each epoch, and the plateau schedule's cuts. */
export class LearningRateSchedule {
  private lr: number;
  private best = Infinity;
  private wait = 0;
  constructor(private readonly s: ScheduleSettings) {
    this.lr = s.learningRate;
  }
  /** The learning rate to train `epoch` (1-based) with. */
  rateFor(epoch: number): number {
    if ((this.s.lrSchedule ?? 'none') !== 'plateau') this.lr = scheduledLearningRate(this.s, epoch);
    return this.lr;
  }
  /** Tells the schedule an epoch's validation loss (null: no validation). */
  epochEnded(valLoss: number | null): void {
    if (this.s.lrSchedule !== 'plateau' || valLoss === null || Number.isNaN(valLoss)) return;
    if (valLoss < this.best) {
      this.best = valLoss;
      this.wait = 0;
      return;
    }
    this.wait++;
    if (this.wait >= Math.max(1, this.s.lrPatience ?? 2)) {
      this.lr = Math.max(this.lr * (this.s.lrFactor ?? 0.1), this.s.minLearningRate ?? 0);
      this.wait = 0;
    }
  }
}

/** Tracks the best epoch (lowest validation loss) and says when early stopping stops. */
export class BestEpochTracker {
  best = Infinity;
  bestEpoch = 0;
  private wait = 0;
  /** patience 0: never stops (keeps track of the best epoch only). */
  constructor(private readonly patience: number) {}
  /** Records an epoch; returns whether it is the best so far. */
  record(epoch: number, valLoss: number | null): boolean {
    if (valLoss === null || Number.isNaN(valLoss)) return false;
    if (valLoss < this.best) {
      this.best = valLoss;
      this.bestEpoch = epoch;
      this.wait = 0;
      return true;
    }
    this.wait++;
    return false;
  }
  /** Whether training should stop now (after the last recorded epoch). */
  get shouldStop(): boolean {
    return this.patience > 0 && this.wait >= this.patience;
  }
}

/** "Stopped early at epoch 9 (…); kept epoch 6's weights (…)." — '' when neither happened. */
export function endOfRunText(o: { stoppedEarlyAt?: number; keptEpoch?: number }): string {
  const parts: string[] = [];
  if (o.stoppedEarlyAt !== undefined) parts.push(`stopped early at epoch ${o.stoppedEarlyAt} (the validation loss stopped falling)`);
  if (o.keptEpoch !== undefined) parts.push(`kept epoch ${o.keptEpoch}'s weights (lowest validation loss)`);
  const text = parts.join('; ');
  return text ? `${text[0]!.toUpperCase()}${text.slice(1)}.` : '';
}

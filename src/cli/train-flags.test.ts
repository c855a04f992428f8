/** `layerlab train`'s setting flags: derived from the settings table, checked with the parser's schema. */
import { describe, expect, it } from 'vitest';
import { parseGraph } from '../graph/parse';
import { TRAINING_SETTINGS } from '../graph/training-settings';
import { main } from './main';
import { scheduleText, settingsFromFlags, TRAIN_SETTING_FLAGS } from './train';

describe('train setting flags', () => {
  it('has one flag per setting of the table (but the task, the dataset and --epochs)', () => {
    const flags = TRAIN_SETTING_FLAGS.map((f) => f.flag);
    for (const f of ['learning-rate', 'lr-schedule', 'lr-factor', 'lr-step-epochs', 'lr-patience', 'min-learning-rate', 'weight-decay', 'early-stopping', 'keep-best-weights', 'aug-shift', 'aug-flip'])
      expect(flags).toContain(f);
    const scalars = Object.entries(TRAINING_SETTINGS).filter(([k, s]) => s.kind !== 'group' && !['task', 'dataset', 'epochs'].includes(k)).length;
    expect(flags).toHaveLength(scalars + Object.keys(TRAINING_SETTINGS.augmentation.fields).length);
  });

  it('turns flags into settings the parser accepts, and refuses what it refuses', () => {
    const s = settingsFromFlags({ 'lr-schedule': 'cosine', 'weight-decay': '0.05', 'keep-best-weights': true, 'early-stopping': '3', 'aug-shift': '2' });
    expect(s).toEqual({ lrSchedule: 'cosine', weightDecay: 0.05, keepBestWeights: true, earlyStopping: 3, augmentation: { shift: 2 } });
    const training = { ...(s as object), augmentation: { shift: 2, rotation: 0, zoom: 0, brightness: 0, flip: false } };
    expect(parseGraph({ format: 'layerlab-graph', version: 1, nodes: [], edges: [], training }).ok).toBe(true);
    expect(settingsFromFlags({ 'lr-schedule': 'linear' })).toMatch(/^--lr-schedule: Learning-rate schedule must be one of "none", "step", "cosine", "plateau"/);
    expect(settingsFromFlags({ 'weight-decay': '-1' })).toBe('--weight-decay: Weight decay must be at least 0 and at most 1.');
    expect(settingsFromFlags({ 'early-stopping': '1.5' })).toBe('--early-stopping: Early stopping (patience) must be a whole number from 0 to 1000.');
    expect(settingsFromFlags({ 'lr-factor': '' })).toMatch(/^--lr-factor: Cut factor must be more than 0/);
    expect(scheduleText({ lrSchedule: 'step', lrFactor: 0.5, lrStepEpochs: 3, earlyStopping: 2 })).toBe(
      "learning rate ×0.5 every 3 epochs; early stopping after 2 epochs without a new validation-loss low; keeps the best epoch's weights",
    );
    expect(scheduleText({})).toBe('');
  });

  it('refuses a bad flag with exit status 2 before reading the file', async () => {
    let err = '';
    const code = await main(['train', 'no-such-file.json', '--lr-patience', '0'], { out: () => {}, err: (t: string) => (err += t) } as never);
    expect(code).toBe(2);
    expect(err).toBe('layerlab: --lr-patience: Plateau patience (epochs) must be a whole number from 1 to 1000.\n');
  });
});
